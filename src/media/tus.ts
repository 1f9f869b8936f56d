import { AsyncLocalStorage } from 'node:async_hooks';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { Server as TusServer } from '@tus/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../api/auth.ts';
import { AppError } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import type { RealmStore } from '../realm/store.ts';
import { newId } from '../lib/ids.ts';
import { limitViewer } from '../limits/limiter.ts';
import { uploadOptionsSchema } from './options.ts';
import type { UploadService } from './uploads.ts';
import { RealmTusStore } from './tus-store.ts';

// Resumable uploads (tus 1.0) at /api/v1/uploads/tus. One tus file store per
// realm, inside that realm's own storage area: an upload's bytes land in the
// uploader's home realm from the first byte. Every tus request is authenticated
// (Authorization: Bearer …) and may only touch the viewer's own uploads.
// Options travel in Upload-Metadata as `options` (JSON).

export const TUS_PATH = '/api/v1/uploads/tus';

const viewerScope = new AsyncLocalStorage<Viewer>();

function tusError(status: number, code: string, message: string, details?: unknown) {
  return { status_code: status, body: JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } }) };
}

// The tus server's own refusals are plain text; each becomes a Reelm error with a code.
const TUS_CODES: Record<number, [string, string]> = {
  400: ['bad_request', 'The tus request is not valid.'],
  403: ['forbidden', 'That is not allowed.'],
  404: ['not_found', 'That upload does not exist or you cannot see it.'],
  409: ['offset_mismatch', 'Upload-Offset does not match what was received; ask with HEAD and resume from there.'],
  410: ['upload_expired', 'That upload has expired.'],
  412: ['unsupported_tus_version', 'Send Tus-Resumable: 1.0.0.'],
  413: ['too_large', 'The file is larger than the upload limit.'],
  415: ['unsupported_media_type', 'Send Content-Type: application/offset+octet-stream.'],
  460: ['checksum_mismatch', 'The checksum does not match.'],
};

function asReelmError(status: number, text: string): { body: string; retryAfter?: number } {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; details?: { retryAfterSeconds?: number } } };
    if (parsed.error?.code) return { body: text, retryAfter: parsed.error.details?.retryAfterSeconds };
  } catch {
    /* plain text from the tus server */
  }
  const [code, message] = TUS_CODES[status] ?? (status >= 500 ? ['internal', 'Something went wrong on our side.'] : ['bad_request', text.slice(0, 200)]);
  return { body: JSON.stringify({ error: { code, message } }) };
}

export function tusDirOf(store: RealmStore): string {
  return join(dirname(store.manifest.logs.dir), 'tus');
}

export class TusUploads {
  readonly #reelm: Reelm;
  readonly #uploads: UploadService;
  readonly #servers = new Map<string, TusServer>();

  constructor(reelm: Reelm, uploads: UploadService) {
    this.#reelm = reelm;
    this.#uploads = uploads;
  }

  server(realm: string): TusServer {
    let s = this.#servers.get(realm);
    if (s) return s;
    const store = this.#reelm.realms.get(realm);
    // offsets and bytes in the realm's shared stores (any API process resumes any upload); tusDirOf is scratch space only
    const datastore = new RealmTusStore(store, { scratchDir: tusDirOf(store), expirationMs: this.#uploads.limits.uploadExpirySeconds * 1000 });
    s = new TusServer({
      path: TUS_PATH,
      datastore,
      relativeLocation: true,
      respectForwardedHeaders: this.#reelm.config.http.trustProxy,
      maxSize: this.#uploads.limits.maxBytes,
      namingFunction: () => newId(),
      onIncomingRequest: async (req, uploadId) => {
        const viewer = viewerScope.getStore();
        if (!viewer) throw tusError(401, 'unauthenticated', 'You need to log in first.');
        if (req.method === 'POST' || req.method === 'OPTIONS' || !uploadId) return;
        const row = await store.db.selectFrom('uploads').select('owner_id').where('id', '=', uploadId).executeTakeFirst();
        if (!row || row.owner_id !== viewer.userId) throw tusError(404, 'not_found', 'That upload does not exist or you cannot see it.');
      },
      onUploadCreate: async (_req, upload) => {
        const viewer = viewerScope.getStore()!;
        if (upload.size === undefined) throw tusError(400, 'length_required', 'Send Upload-Length: the size must be known when the upload starts.');
        if (upload.size === 0) throw tusError(400, 'empty_file', 'The file is empty.');
        let options;
        try {
          options = uploadOptionsSchema.parse(upload.metadata?.options ? JSON.parse(upload.metadata.options) : {});
        } catch (err) {
          throw tusError(400, 'invalid_options', `The upload options are not valid: ${(err as Error).message.slice(0, 300)}`);
        }
        try {
          await this.#uploads.create(store, { ownerId: viewer.userId, method: 'tus', sizeBytes: upload.size, options, id: upload.id });
        } catch (err) {
          if (err instanceof AppError) throw tusError(err.status, err.code, err.message, err.details);
          throw err;
        }
        return {};
      },
      onUploadFinish: async (_req, upload) => {
        const whole = await datastore.assemble(upload.id);
        try {
          await this.#uploads.received(store, upload.id, whole.file, whole.size);
        } finally {
          await rm(whole.file, { force: true });
        }
        await datastore.remove(upload.id).catch(() => {});
        return { headers: { 'Reelm-Upload-Id': upload.id } };
      },
    });
    this.#servers.set(realm, s);
    return s;
  }

  /** Bridges a Fastify request to the tus server of the viewer's home realm. */
  async handle(req: FastifyRequest, reply: FastifyReply, viewer: Viewer) {
    const server = this.server(viewer.realm);
    if (req.method === 'POST') await limitViewer(this.#reelm, viewer, req.ip, 'upload');
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : String(v));
    const hasBody = req.method === 'PATCH' || (req.method === 'POST' && Number(req.headers['content-length'] ?? 0) > 0);
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req.raw) as unknown as ReadableStream) : undefined,
      duplex: 'half',
    });
    const res = await viewerScope.run(viewer, () => server.handleWeb(request));
    reply.status(res.status);
    res.headers.forEach((value, key) => void reply.header(key, value));
    const body = await res.text();
    if (res.status >= 400) {
      const e = asReelmError(res.status, body);
      if (e.retryAfter) reply.header('retry-after', String(e.retryAfter));
      return reply.header('content-type', 'application/json; charset=utf-8').send(e.body);
    }
    // A terminated upload is gone, not left `receiving`.
    if (req.method === 'DELETE' && res.status === 204) {
      const id = req.url.split('?')[0]!.split('/').pop()!;
      await this.#uploads.cancel(this.#reelm.realms.get(viewer.realm), viewer.userId, id);
    }
    return reply.send(body || undefined);
  }

  /** Removes expired unfinished uploads' bytes from the tus stores of these realms (default: every realm open here). */
  async cleanUp(realms: readonly string[] = this.#reelm.realms.names()): Promise<number> {
    let n = 0;
    for (const realm of realms)
      n += await this.server(realm)
        .cleanUpExpiredUploads()
        .catch(() => 0);
    return n;
  }
}
