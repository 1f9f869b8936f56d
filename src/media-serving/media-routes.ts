import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { viewerOf } from '../api/auth.ts';
import { AppError, notFound } from '../api/errors.ts';
import { assertBlobKey, type BlobStore } from '../blobs/blob-store.ts';
import { contentTypeForKey } from '../blobs/content-types.ts';
import { isPublicMedia, isWithdrawnMedia } from './access.ts';
import { blockedAccounts } from '../modules/blocks.ts';
import type { DeliveryMode } from './delivery-config.ts';
import { mediaGrants, mediaPath } from './media-links.ts';
import { posix } from 'node:path';
import { safetyHeaders, sendBlob } from './send-blob.ts';

// GET /media/<realm>/<key>: Node decides whether the bytes may go out (a public
// blob, or a valid unexpired grant), then hands them over according to the
// delivery mode. Without a grant, a private blob answers exactly like a missing
// one (404), so URLs cannot be probed; a bad grant is a 403 with its own code.

const grantRefusals = {
  grant_invalid: 'This media link is not valid. Ask for a new link.',
  grant_expired: 'This media link has expired. Ask for a new link.',
} as const;

interface Access {
  /** set when access comes from a signed grant (not public) */
  grant?: { expiresAt: number; viewer?: string };
  cacheControl: string;
  /** seconds a presigned URL may live */
  ttl: number;
  /** seconds an edge (nginx auth cache) may reuse this decision; 0 = ask every time */
  edgeSeconds: number;
}

export const mediaRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  const delivery = reelm.config.delivery;
  const grants = mediaGrants(reelm);
  const publicCache = `public, max-age=${delivery.publicMaxAgeSeconds}, immutable`;
  const grantedCache = 'private, no-store';
  const params = z.object({ realm: z.string(), '*': z.string() });
  const querystring = z.object({ exp: z.string().optional(), g: z.string().optional(), v: z.string().optional(), s: z.string().optional() });

  // blocks are known in the viewer's home realm (own blocks, and block_edges delivered to it)
  const blockedFrom = async (viewer: { userId: string; realm: string }, key: string) => {
    const owner = /^users\/([^/]+)\//.exec(key)?.[1];
    if (owner === undefined || !reelm.realms.has(viewer.realm)) return false;
    return (await blockedAccounts(reelm, viewer.realm, viewer.userId)).has(owner);
  };

  /** The one access decision: a valid grant, or public media. Throws the refusal otherwise. */
  async function decide(req: FastifyRequest, realm: string, key: string, q: z.infer<typeof querystring>): Promise<Access> {
    if (!reelm.realms.has(realm) || !validKey(key)) throw notFound('That media');
    if (q.g !== undefined || q.exp !== undefined) {
      const check = grants.verify(realm, key, q);
      if (!check.ok) throw new AppError(403, check.code, grantRefusals[check.code]);
      if (check.grant.viewer && viewerOf(req)?.userId !== check.grant.viewer) {
        throw new AppError(403, 'grant_invalid', 'This media link was made for another signed-in person.');
      }
      // a link signed before a block stops answering for the blocked party, like missing media
      if (check.grant.viewer && (await blockedFrom(viewerOf(req)!, key))) throw notFound('That media');
      // nor for media a moderator withdrew (removed video, suspended account), except for its owner
      if (await isWithdrawnMedia(reelm, realm, key, check.grant.viewer)) throw notFound('That media');
      const ttl = check.grant.expiresAt - Math.floor(Date.now() / 1000);
      // a viewer-bound grant depends on the session, so an edge may not reuse it
      return {
        grant: { expiresAt: check.grant.expiresAt, viewer: check.grant.viewer },
        cacheControl: grantedCache,
        ttl,
        edgeSeconds: check.grant.viewer ? 0 : ttl,
      };
    }
    if (await isPublicMedia(reelm, realm, key))
      return { cacheControl: publicCache, ttl: delivery.grantTtlSeconds, edgeSeconds: delivery.publicDecisionSeconds };
    throw notFound('That media');
  }

  // GET and HEAD declared together: Fastify's generated HEAD route would reset Content-Length to 0.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/media/:realm/*',
    schema: {
      tags: ['media'],
      summary: 'Media bytes (renditions, posters, exports): public, or with a signed grant (?exp=…&g=…)',
      params,
      querystring,
    },
    handler: async (req, reply) => {
      const { realm, '*': key } = req.params;
      const access = await decide(req, realm, key, req.query);
      const store = reelm.realms.get(realm).blobs;
      if (access.grant && key.endsWith('.m3u8')) {
        // A granted HLS playlist names other files (rung playlists, init, segments) by
        // relative URI; each gets its own grant with the same expiry and viewer, so a
        // followers-only or private video plays over HLS too. Playlists are small: Node sends them.
        const info = await store.stat(key);
        if (!info) throw notFound('That media');
        const text = signPlaylist(
          (await store.getBuffer(key)).toString('utf8'),
          key,
          (k) => `${mediaPath(realm, k)}?${grants.sign({ realm, key: k, ...access.grant! })}`,
        );
        safetyHeaders(reply);
        reply.header('cache-control', grantedCache).header('content-type', 'application/vnd.apple.mpegurl');
        return reply.send(text);
      }
      switch (modeFor(delivery.mode, store)) {
        case 'x-accel':
          // nginx serves the file from the realm's folder (Range, ETag, 304 included)
          // and keeps Content-Type and Cache-Control from this answer.
          safetyHeaders(reply);
          reply.header('cache-control', access.cacheControl);
          reply.header('content-type', contentTypeForKey(key));
          reply.header('x-accel-redirect', `${delivery.accelPrefix}${realm}/${key}`);
          return reply.send();
        case 'redirect': {
          const url = await store.presignGet!(key, access.ttl, { contentType: contentTypeForKey(key), cacheControl: access.cacheControl });
          // The redirect itself is never cached: the presigned URL expires.
          reply.header('cache-control', 'private, no-store');
          return reply.redirect(url, 302);
        }
        default:
          return sendBlob(req, reply, store, key, access.cacheControl);
      }
    },
  });

  // The access decision alone, for nginx's auth_request (deploy/nginx/reelm.conf):
  // 200 (empty) when allowed, with X-Accel-Expires telling nginx how long it may reuse the
  // answer, so repeated fetches of the same URL never reach Node. auth_request
  // knows only 2xx, 401 and 403, so every refusal is a 403 here; nginx then asks
  // the /media route itself for the refusal's JSON body.
  app.get('/_reelm/access/media/:realm/*', { schema: { hide: true, params, querystring } }, async (req, reply) => {
    const { realm, '*': key } = req.params;
    try {
      const access = await decide(req, realm, key, req.query);
      reply.header('x-accel-expires', String(Math.max(0, access.edgeSeconds)));
      return reply.code(200).send();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      reply.header('x-accel-expires', '0');
      return reply.code(403).send();
    }
  });
};

/** x-accel needs a local folder nginx can read; redirect needs presigned URLs. Otherwise the next best. */
export function modeFor(mode: DeliveryMode, store: BlobStore): DeliveryMode {
  if (mode === 'x-accel') return store.kind === 'local' ? 'x-accel' : store.presignGet ? 'redirect' : 'direct';
  if (mode === 'redirect') return store.presignGet ? 'redirect' : 'direct';
  return 'direct';
}

/** Rewrites every relative URI of an HLS playlist (lines and URI="…" attributes) to `sign(absoluteKey)`. */
export function signPlaylist(text: string, playlistKey: string, sign: (key: string) => string): string {
  const dir = posix.dirname(playlistKey);
  const rewrite = (uri: string) => {
    if (/^[a-z][a-z0-9+.-]*:|^\//i.test(uri)) return uri; // absolute: not ours to sign
    const key = posix.normalize(posix.join(dir, uri.split('?')[0]!));
    return validKey(key) && key.startsWith(`${dir}/`.replace(/^\.\//, '')) ? sign(key) : uri;
  };
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed.startsWith('#')) return line.replace(/URI="([^"]+)"/g, (_m, uri: string) => `URI="${rewrite(uri)}"`);
      return trimmed ? rewrite(trimmed) : line;
    })
    .join('\n');
}

function validKey(key: string): boolean {
  try {
    assertBlobKey(key);
    return true;
  } catch {
    return false;
  }
}
