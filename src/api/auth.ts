import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Reelm } from '../context.ts';
import { unauthorized } from './errors.ts';
import { FORWARDED_HEADER, forwardToRealm, isRealmElsewhere, isRoutable, verifiedForward } from './realm-forward.ts';

// Who is asking: resolved once per request from the session cookie (browsers)
// or an `Authorization: Bearer` token (API clients), by the module that owns
// sessions (accounts: the token's prefix names the realm holding the session,
// so only that realm's store is consulted). The viewer is decorated on the
// request (`req.viewer`).

declare module 'fastify' {
  interface FastifyContextConfig {
    /** this write stays open to a person a module's write gate refuses (log out, appeal, their data, deletion) */
    allowSuspended?: boolean;
  }
  interface FastifyRequest {
    /** the signed-in person making this request, or null */
    viewer: Viewer | null;
  }
}

export interface Viewer {
  userId: string;
  realm: string;
  handle: string;
  sessionId: string;
}

export const SESSION_COOKIE = 'reelm_session';

export function viewerOf(req: FastifyRequest): Viewer | null {
  return req.viewer ?? null;
}

export function requireViewer(req: FastifyRequest): Viewer {
  const v = req.viewer;
  if (!v) throw unauthorized();
  return v;
}

export function tokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return req.cookies?.[SESSION_COOKIE];
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Callback style, not async: a signed-out request costs no promise, and Fastify runs a
// callback hook with less machinery (the hook chain was a visible share of a request).
// A session of a realm this process does not serve (the resolver throws RealmElsewhere)
// sends an API request on to that realm's process (src/api/realm-forward.ts) before its
// body is read; elsewhere (media, pages) the request is answered here, signed out.
export function authHook(reelm: Reelm) {
  const gates = reelm.composition.writeGates;
  const gate = async (viewer: Viewer) => {
    for (const g of gates) await g(reelm, viewer);
  };
  return (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (req.headers[FORWARDED_HEADER] !== undefined) acceptForwarded(reelm, req);
    const token = tokenOf(req);
    if (!token) return done();
    reelm.composition.resolveViewer(reelm, token).then(
      (viewer) => {
        req.viewer = viewer;
        if (!viewer || READS.has(req.method) || req.routeOptions.config?.allowSuspended) return done();
        gate(viewer).then(() => done(), done);
      },
      (err: unknown) => {
        if (!isRealmElsewhere(err)) return done(err as Error);
        if (!isRoutable(req.url)) return done();
        forwardToRealm(reelm, req, reply, err.realm).catch(done); // answered there; no done() on success: the reply is hijacked
      },
    );
  };
}

/** A request forwarded by another process of this deployment: the client's address is the one it signed. */
function acceptForwarded(reelm: Reelm, req: FastifyRequest) {
  const address = verifiedForward(reelm.secret, req);
  if (address === undefined)
    delete req.headers[FORWARDED_HEADER]; // not ours: neither an address nor a loop mark
  else Object.defineProperty(req, 'ip', { value: address });
}
