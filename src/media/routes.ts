import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireViewer, viewerOf } from '../api/auth.ts';
import { AppError, badRequest, notFound } from '../api/errors.ts';
import { newId } from '../lib/ids.ts';
import { limitViewer } from '../limits/limiter.ts';
import { setPublicMediaCheck } from '../media-serving/access.ts';
import { isPubliclyPosted } from '../social/media-port.ts';
import { blockedSet } from '../social/visibility.ts';
import { publicMediaUrl, signedMediaUrl } from '../media-serving/media-links.ts';
import type { RealmStore } from '../realm/store.ts';
import { uploadOptionsSchema } from './options.ts';
import { setInProcessFetch } from './public-media.ts';
import { workDirOf } from './pipeline.ts';
import { TUS_PATH, TusUploads } from './tus.ts';
import { UploadService, videoView } from './uploads.ts';

// Upload and media-state API. Uploads: tus (resumable) and one-shot multipart.
// State: GET /api/v1/uploads/:id (owner) and GET /api/v1/videos/:id. Bytes are
// served by the media-serving part (/media/<realm>/<key>).

export const uploadRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  const uploads = new UploadService(reelm);
  const tus = new TusUploads(reelm, uploads);

  // What anyone may fetch without a grant: renditions, HLS, poster and
  // thumbnails of a ready video posted to a public audience, and the sound
  // taken from such a video. Never originals. Followers-only and private posts,
  // and videos not yet posted, are reachable only through signed grants (S2).
  setPublicMediaCheck(reelm, async (realm, key) => {
    if (!reelm.realms.has(realm)) return false;
    const store = reelm.realms.get(realm);
    const v = /^users\/[^/]+\/videos\/([^/]+)\/(?!original)/.exec(key);
    if (v) {
      const row = await store.db.selectFrom('videos').select(['status', 'owner_id']).where('id', '=', v[1]!).executeTakeFirst();
      return row?.status === 'ready' && key.startsWith(`users/${row.owner_id}/`) && (await isPubliclyPosted(store, v[1]!)) === true;
    }
    const s = /^users\/[^/]+\/sounds\/([^/.]+)\.m4a$/.exec(key);
    if (s) {
      const sound = await store.db.selectFrom('sounds').select('video_id').where('id', '=', s[1]!).where('audio_key', '=', key).executeTakeFirst();
      return Boolean(sound) && (await isPubliclyPosted(store, sound!.video_id)) === true;
    }
    return false;
  });

  // A block either way, as the viewer's home realm knows it (see social/visibility.ts).
  const blockedFor = async (viewer: { userId: string; realm: string } | null | undefined, ownerId: string) =>
    !!viewer && reelm.realms.has(viewer.realm) && (await blockedSet(reelm.realms.get(viewer.realm).db, viewer.userId)).has(ownerId);

  // as a public visitor: a path, no headers (see public-media.ts)
  setInProcessFetch(reelm, async (url) => {
    const res = await app.inject({ method: 'GET', url });
    return new Response(res.statusCode === 204 || res.statusCode === 304 ? null : res.rawPayload, { status: res.statusCode });
  });

  // tus: the body stream goes to the tus server untouched
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
    const handler = async (req: any, reply: any) => {
      const viewer =
        req.method === 'OPTIONS' ? (viewerOf(req) ?? { userId: '', realm: reelm.realms.names()[0]!, handle: '', sessionId: '' }) : requireViewer(req);
      return tus.handle(req, reply, viewer);
    };
    // Listed in the OpenAPI document; the tus protocol itself (headers) is tus 1.0, see docs/MEDIA.md.
    const tusDoc = (summary: string) => ({
      tags: ['media'],
      summary,
      description: 'tus 1.0 resumable upload (Tus-Resumable: 1.0.0). Errors: JSON {error:{code,message}}.',
    });
    scope.route({
      method: ['POST', 'OPTIONS'],
      url: TUS_PATH,
      schema: tusDoc('Start a resumable upload (Upload-Length, Upload-Metadata: options <base64 JSON>)'),
      handler,
    });
    scope.route({
      method: ['HEAD', 'PATCH', 'DELETE'],
      url: `${TUS_PATH}/:id`,
      schema: tusDoc('Resume (HEAD), send bytes (PATCH) or end (DELETE) an upload'),
      handler,
    });
    scope.route({ method: ['POST', 'OPTIONS'], url: `${TUS_PATH}/:id`, schema: { hide: true }, handler });
    scope.route({ method: ['HEAD', 'PATCH', 'DELETE'], url: TUS_PATH, schema: { hide: true }, handler });
  });

  // one-shot multipart upload for scripts: fields `options` (JSON, optional) then `file`
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: reelm.config.media.maxBytes, files: 1, fields: 4, fieldSize: 16 * 1024 } });
    scope.post(
      '/api/v1/uploads',
      { schema: { tags: ['media'], summary: 'Upload a video in one request (multipart/form-data: options, file)' } },
      async (req, reply) => {
        const viewer = requireViewer(req);
        const store = reelm.realms.get(viewer.realm);
        await limitViewer(reelm, viewer, req.ip, 'upload');
        if (!req.isMultipart()) throw new AppError(415, 'unsupported_media_type', 'Send multipart/form-data with a `file` part.');
        const part = await req.file().catch((err: unknown) => {
          throw malformed(err);
        });
        if (!part) throw badRequest('file_missing', 'The request has no `file` part.');
        const rawOptions = (part.fields as Record<string, any>).options?.value;
        const parsed = uploadOptionsSchema.safeParse(rawOptions ? safeJson(rawOptions) : {});
        if (!parsed.success) throw badRequest('invalid_options', `The upload options are not valid: ${z.prettifyError(parsed.error)}`);
        const upload = await uploads.create(store, {
          ownerId: viewer.userId,
          method: 'multipart',
          sizeBytes: Number(req.headers['content-length'] ?? 0),
          options: parsed.data,
        });
        const dir = join(workDirOf(store), 'incoming');
        await mkdir(dir, { recursive: true });
        const tmp = join(dir, `${upload.id}-${newId().slice(-6)}`);
        try {
          const allowance = await uploads.bytesLeftToday(store, viewer.userId, Date.now(), upload.id);
          await pipeline(part.file, quotaMeter(allowance, reelm.config.media.bytesPerDay), createWriteStream(tmp)).catch((err: unknown) => {
            throw malformed(err);
          });
          if (part.file.truncated)
            throw new AppError(413, 'too_large', `The file is larger than the ${Math.round(reelm.config.media.maxBytes / 1024 / 1024)} MB limit.`);
          const { size } = await import('node:fs/promises').then((fs) => fs.stat(tmp));
          const refusal = await uploads.received(store, upload.id, tmp, size);
          // Known from the file's header: refused in this response (the upload's status says the same).
          if (refusal) throw new AppError(422, refusal.code, refusal.message, { uploadId: upload.id });
        } catch (err) {
          if (err instanceof AppError && err.status === 422) throw err;
          await dropUpload(store, upload.id);
          throw err;
        } finally {
          await rm(tmp, { force: true });
        }
        return reply.status(202).send(await uploads.status(store, viewer.userId, upload.id));
      },
    );
  });

  app.get(
    '/api/v1/uploads/:id',
    {
      schema: {
        tags: ['media'],
        summary: 'The state of one of your uploads: receiving, received, processing (progress), ready, failed (code, message)',
        params: z.object({ id: z.string().max(64) }),
      },
    },
    async (req) => {
      const viewer = requireViewer(req);
      return uploads.status(reelm.realms.get(viewer.realm), viewer.userId, req.params.id);
    },
  );

  app.get(
    '/api/v1/videos/:id',
    {
      schema: {
        tags: ['media'],
        summary: 'A video at the media level: state, size, renditions, HLS, poster. Others see it once ready.',
        params: z.object({ id: z.string().max(64) }),
        querystring: z.object({ realm: z.string().max(32).optional() }),
      },
    },
    async (req) => {
      const viewer = viewerOf(req);
      const realms = req.query.realm ? (reelm.realms.has(req.query.realm) ? [reelm.realms.get(req.query.realm)] : []) : reelm.realms.all();
      for (const store of realms) {
        const v = await store.db.selectFrom('videos').selectAll().where('id', '=', req.params.id).executeTakeFirst();
        if (!v) continue;
        const owner = viewer?.userId === v.owner_id && viewer.realm === store.name;
        // Others see the media view of a publicly posted video only; followers-only and
        // private posts are seen through the posts API, which checks the audience.
        if (!owner && (v.status !== 'ready' || (await isPubliclyPosted(store, v.id)) !== true)) break;
        if (!owner && (await blockedFor(viewer, v.owner_id))) break; // a block hides it like a missing one
        const url = owner
          ? (key: string) => signedMediaUrl(reelm, store.name, key, { viewer: viewer!.userId }).url
          : (key: string) => publicMediaUrl(reelm, store.name, key);
        return { ...videoView(v, url, owner), realm: store.name };
      }
      throw notFound('That video');
    },
  );

  app.get(
    '/api/v1/sounds/:id',
    {
      schema: {
        tags: ['media'],
        summary: 'A reusable sound: title, original creator, use count, audio URL',
        params: z.object({ id: z.string().max(64) }),
        querystring: z.object({ realm: z.string().max(32).optional() }),
      },
    },
    async (req) => {
      const realms = req.query.realm ? (reelm.realms.has(req.query.realm) ? [reelm.realms.get(req.query.realm)] : []) : reelm.realms.all();
      for (const store of realms) {
        const s = await store.db
          .selectFrom('sounds')
          .innerJoin('users', 'users.id', 'sounds.owner_id')
          .select([
            'sounds.id',
            'sounds.title',
            'sounds.owner_id',
            'users.handle',
            'sounds.usage_count',
            'sounds.duration_ms',
            'sounds.audio_key',
            'sounds.video_id',
            'sounds.created_at',
          ])
          .where('sounds.id', '=', req.params.id)
          .executeTakeFirst();
        if (!s) continue;
        const own = viewerOf(req)?.userId === s.owner_id;
        if (!own && (await isPubliclyPosted(store, s.video_id)) !== true) break;
        if (!own && (await blockedFor(viewerOf(req), s.owner_id))) break;
        return {
          id: s.id,
          realm: store.name,
          title: s.title,
          creator: { id: s.owner_id, handle: s.handle },
          videoId: s.video_id,
          usageCount: s.usage_count,
          durationMs: s.duration_ms,
          audioUrl: publicMediaUrl(reelm, store.name, s.audio_key),
          createdAt: new Date(s.created_at).toISOString(),
        };
      }
      throw notFound('That sound');
    },
  );

  async function dropUpload(store: RealmStore, id: string) {
    await store.db.deleteFrom('jobs').where('dedupe_key', '=', `media:${id}`).where('state', '=', 'queued').execute();
    await store.db.deleteFrom('uploads').where('id', '=', id).where('state', 'in', ['receiving', 'received']).execute();
  }
};

/** Counts the bytes as they arrive and stops the upload when they pass what is left of the day's allowance. */
function quotaMeter(allowance: number, perDay: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > allowance)
        return done(
          new AppError(
            413,
            'upload_quota_exceeded',
            `This upload goes over today's upload allowance of ${Math.round(perDay / 1024 / 1024)} MB; nothing of it was kept.`,
          ),
        );
      done(null, chunk);
    },
  });
}

/** A multipart body the parser cannot read (no boundary, cut short) is the client's error, not ours. */
function malformed(err: unknown): unknown {
  if (err instanceof AppError || (err as { code?: string }).code === 'ENOSPC') return err;
  return badRequest('malformed_multipart', 'The multipart/form-data body cannot be read (missing boundary, or cut short).');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { __invalid: 'options is not valid JSON' };
  }
}
