import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mediaCookieValue } from '../api/media-cookie.ts';

// Signed media grants: a short-lived capability to fetch one blob of one realm,
// carried in the URL query (`?exp=…&g=…[&v=…]`) so that <video>, <img> and HLS
// players can use it without headers. HMAC-SHA256 under a key derived from the
// server secret (so it cannot be confused with other uses of that secret).
// Optionally bound to a viewer: then only that signed-in person can use it.

export interface Grant {
  readonly realm: string;
  readonly key: string;
  /** unix seconds */
  readonly expiresAt: number;
  readonly viewer?: string;
}

export type GrantCheck = { ok: true; grant: Grant } | { ok: false; code: 'grant_invalid' | 'grant_expired' };

/** The secret nginx's secure_link checks grants with (deploy/nginx/reelm.conf; `npx reelm edge-secret`). */
export function edgeSecret(serverSecret: string): string {
  return createHmac('sha256', serverSecret).update('reelm nginx secure_link v1').digest('hex');
}

export class MediaGrants {
  readonly #key: Buffer;
  readonly #edgeSecret: string;
  readonly #serverSecret: string;

  constructor(serverSecret: string) {
    this.#key = createHmac('sha256', serverSecret).update('reelm media grants v1').digest();
    this.#edgeSecret = edgeSecret(serverSecret);
    this.#serverSecret = serverSecret;
  }

  #mac(realm: string, key: string, expiresAt: number, viewer: string | undefined): Buffer {
    // Newline-separated: none of the fields can contain one (keys and ids are validated).
    return createHmac('sha256', this.#key)
      .update(`${realm}\n${key}\n${expiresAt}\n${viewer ?? ''}`)
      .digest();
  }

  /** Query parameters that grant access to `key` until `expiresAt` (unix seconds). */
  sign(grant: Grant): URLSearchParams {
    const q = new URLSearchParams({ exp: String(grant.expiresAt) });
    if (grant.viewer) q.set('v', grant.viewer);
    q.set('g', this.#mac(grant.realm, grant.key, grant.expiresAt, grant.viewer).toString('base64url'));
    // A second signature in nginx's secure_link form, so nginx can serve a grant without
    // asking Node. A viewer-bound one also covers the viewer's media cookie
    // (src/api/media-cookie.ts), which nginx reads from the request: another person's differs.
    const binding = grant.viewer ? mediaCookieValue(this.#serverSecret, grant.viewer) : '';
    const edge = `${grant.expiresAt}/media/${grant.realm}/${grant.key}${binding} ${this.#edgeSecret}`;
    q.set('s', createHash('md5').update(edge).digest('base64url'));
    return q;
  }

  /** Checks the signature first (in constant time), then the expiry: a forged grant is never reported as merely expired. */
  verify(realm: string, key: string, query: { exp?: string; g?: string; v?: string }, nowSeconds = Math.floor(Date.now() / 1000)): GrantCheck {
    const { exp, g, v } = query;
    if (!exp || !g || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(g)) return { ok: false, code: 'grant_invalid' };
    const expiresAt = Number(exp);
    const given = Buffer.from(g, 'base64url');
    const expected = this.#mac(realm, key, expiresAt, v || undefined);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, code: 'grant_invalid' };
    if (expiresAt <= nowSeconds) return { ok: false, code: 'grant_expired' };
    return { ok: true, grant: { realm, key, expiresAt, viewer: v || undefined } };
  }
}
