import type { Reelm } from '../context.ts';
import { MediaGrants } from './grants.ts';

// URLs for media, for the parts that hand them to clients (playback, feeds,
// exports). Public media has a stable URL; anything else gets a signed grant
// that expires after `delivery.grantTtlSeconds` (default 5 minutes).

const grantsByReelm = new WeakMap<Reelm, MediaGrants>();

export function mediaGrants(reelm: Reelm): MediaGrants {
  let g = grantsByReelm.get(reelm);
  if (!g) grantsByReelm.set(reelm, (g = new MediaGrants(reelm.secret)));
  return g;
}

function base(reelm: Reelm): string {
  return (reelm.config.http.publicUrl ?? '').replace(/\/$/, '');
}

export function mediaPath(realm: string, key: string): string {
  return `/media/${realm}/${key}`;
}

/** The stable URL of a blob the owner made public (it still answers 404 until the public check says so). */
export function publicMediaUrl(reelm: Reelm, realm: string, key: string): string {
  return `${base(reelm)}${mediaPath(realm, key)}`;
}

/** A short-lived URL for one blob; with `viewer`, only that signed-in person can use it. */
export function signedMediaUrl(
  reelm: Reelm,
  realm: string,
  key: string,
  opts: { viewer?: string; ttlSeconds?: number; nowSeconds?: number } = {},
): { url: string; expiresAt: number } {
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const expiresAt = now + (opts.ttlSeconds ?? reelm.config.delivery.grantTtlSeconds);
  const q = mediaGrants(reelm).sign({ realm, key, expiresAt, viewer: opts.viewer });
  return { url: `${base(reelm)}${mediaPath(realm, key)}?${q}`, expiresAt };
}
