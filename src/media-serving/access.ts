import type { Reelm } from '../context.ts';

// Which blobs anyone may fetch without a grant. The media part knows (a video's
// audience, its renditions, posters) and registers a check per running Reelm;
// until one is registered nothing is public: every fetch needs a grant.

export type PublicMediaCheck = (realm: string, key: string) => boolean | Promise<boolean>;

const checks = new WeakMap<Reelm, PublicMediaCheck>();

export function setPublicMediaCheck(reelm: Reelm, check: PublicMediaCheck): void {
  checks.set(reelm, check);
}

export async function isPublicMedia(reelm: Reelm, realm: string, key: string): Promise<boolean> {
  const check = checks.get(reelm);
  return check ? (await check(realm, key)) === true : false;
}

/**
 * Media withdrawn from everyone but its owner even with a grant (a video a
 * moderator removed, an account suspended). Registered by the moderation part;
 * `viewer` is the person a grant was bound to, if any.
 */
export type WithdrawnMediaCheck = (realm: string, key: string, viewer: string | undefined) => boolean | Promise<boolean>;

const withdrawn = new WeakMap<Reelm, WithdrawnMediaCheck>();

export function setWithdrawnMediaCheck(reelm: Reelm, check: WithdrawnMediaCheck): void {
  withdrawn.set(reelm, check);
}

export async function isWithdrawnMedia(reelm: Reelm, realm: string, key: string, viewer: string | undefined): Promise<boolean> {
  const check = withdrawn.get(reelm);
  return check ? (await check(realm, key, viewer)) === true : false;
}
