import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { viewerOf } from '../api/auth.ts';
import { AppError, notFound } from '../api/errors.ts';
import { assertBlobKey, type BlobStore } from '../blobs/blob-store.ts';
import { contentTypeForKey } from '../blobs/content-types.ts';
import { isPublicMedia } from './access.ts';
import type { DeliveryMode } from './delivery-config.ts';
import { mediaGrants } from './media-links.ts';
import { safetyHeaders, sendBlob } from './send-blob.ts';

// GET /media/<realm>/<key>: Node decides whether the bytes may go out (a public
// blob, or a valid unexpired grant), then hands them over according to the
// delivery mode. Without a grant, a private blob answers exactly like a missing
// one (404), so URLs cannot be probed; a bad grant is a 403 with its own code.

const grantRefusals = {
  grant_invalid: 'This media link is not valid. Ask for a new link.',
  grant_expired: 'This media link has expired. Ask for a new link.',
} as const;

export const mediaRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  const delivery = reelm.config.delivery;
  const grants = mediaGrants(reelm);
  const publicCache = `public, max-age=${delivery.publicMaxAgeSeconds}, immutable`;
  const grantedCache = 'private, no-store';

  // GET and HEAD declared together: Fastify's generated HEAD route would reset Content-Length to 0.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/media/:realm/*',
    schema: {
      tags: ['media'],
      summary: 'Media bytes (renditions, posters, exports): public, or with a signed grant (?exp=…&g=…)',
      params: z.object({ realm: z.string(), '*': z.string() }),
      querystring: z.object({ exp: z.string().optional(), g: z.string().optional(), v: z.string().optional() }),
    },
    handler: async (req, reply) => {
      const { realm, '*': key } = req.params;
      if (!reelm.realms.has(realm) || !validKey(key)) throw notFound('That media');
      const store = reelm.realms.get(realm).blobs;

      let cacheControl: string;
      let ttl: number;
      const q = req.query;
      if (q.g !== undefined || q.exp !== undefined) {
        const check = grants.verify(realm, key, q);
        if (!check.ok) throw new AppError(403, check.code, grantRefusals[check.code]);
        if (check.grant.viewer && viewerOf(req)?.userId !== check.grant.viewer) {
          throw new AppError(403, 'grant_invalid', 'This media link was made for another signed-in person.');
        }
        cacheControl = grantedCache;
        ttl = check.grant.expiresAt - Math.floor(Date.now() / 1000);
      } else if (await isPublicMedia(reelm, realm, key)) {
        cacheControl = publicCache;
        ttl = delivery.grantTtlSeconds;
      } else {
        throw notFound('That media');
      }

      switch (modeFor(delivery.mode, store)) {
        case 'x-accel':
          // nginx serves the file from the realm's folder (Range, ETag, 304 included)
          // and keeps Content-Type and Cache-Control from this answer.
          safetyHeaders(reply);
          reply.header('cache-control', cacheControl);
          reply.header('content-type', contentTypeForKey(key));
          reply.header('x-accel-redirect', `${delivery.accelPrefix}${realm}/${key}`);
          return reply.send();
        case 'redirect': {
          const url = await store.presignGet!(key, ttl, { contentType: contentTypeForKey(key), cacheControl });
          // The redirect itself is never cached: the presigned URL expires.
          reply.header('cache-control', 'private, no-store');
          return reply.redirect(url, 302);
        }
        default:
          return sendBlob(req, reply, store, key, cacheControl);
      }
    },
  });
};

/** x-accel needs a local folder nginx can read; redirect needs presigned URLs. Otherwise the next best. */
export function modeFor(mode: DeliveryMode, store: BlobStore): DeliveryMode {
  if (mode === 'x-accel') return store.kind === 'local' ? 'x-accel' : store.presignGet ? 'redirect' : 'direct';
  if (mode === 'redirect') return store.presignGet ? 'redirect' : 'direct';
  return 'direct';
}

function validKey(key: string): boolean {
  try {
    assertBlobKey(key);
    return true;
  } catch {
    return false;
  }
}
