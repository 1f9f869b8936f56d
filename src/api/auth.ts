import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Reelm } from '../context.ts';
import { realmOfToken, resolveSession } from '../accounts/sessions.ts';
import { unauthorized } from './errors.ts';

// Who is asking: resolved once per request from the session cookie (browsers)
// or an `Authorization: Bearer` token (API clients). The token's prefix names
// the realm holding the session, so only that realm's store is consulted.

export interface Viewer {
  userId: string;
  realm: string;
  handle: string;
  sessionId: string;
}

export const SESSION_COOKIE = 'reelm_session';

const viewers = new WeakMap<FastifyRequest, Viewer>();

export function viewerOf(req: FastifyRequest): Viewer | null {
  return viewers.get(req) ?? null;
}

export function requireViewer(req: FastifyRequest): Viewer {
  const v = viewers.get(req);
  if (!v) throw unauthorized();
  return v;
}

export function tokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return req.cookies?.[SESSION_COOKIE];
}

export function authHook(reelm: Reelm) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const token = tokenOf(req);
    if (!token) return;
    const realm = realmOfToken(token);
    if (!realm || !reelm.realms.has(realm)) return;
    const s = await resolveSession(reelm.realms.get(realm).db, token);
    if (s) viewers.set(req, { userId: s.userId, realm, handle: s.handle, sessionId: s.sessionId });
  };
}
