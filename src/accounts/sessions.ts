import type { Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import { newId, newToken, sha256 } from '../lib/ids.ts';

// Server-side sessions. The token (256 random bits) is shown once and stored
// only as its SHA-256. Its prefix names the realm that holds the session, so a
// request is routed to one realm without a global session table.

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export interface ResolvedSession {
  sessionId: string;
  userId: string;
  handle: string;
}

export function realmOfToken(token: string): string | undefined {
  return /^rlm_([a-z][a-z0-9]{1,15})_[A-Za-z0-9_-]{43}$/.exec(token)?.[1];
}

export async function createSession(db: Kysely<RealmDatabase>, realm: string, userId: string, kind: 'cookie' | 'bearer', userAgent?: string) {
  const token = newToken(`rlm_${realm}`);
  const now = Date.now();
  const id = newId(now);
  await db
    .insertInto('sessions')
    .values({
      id,
      user_id: userId,
      token_hash: sha256(token),
      kind,
      created_at: now,
      last_seen_at: now,
      expires_at: now + SESSION_TTL_MS,
      user_agent: userAgent?.slice(0, 200) ?? null,
    })
    .execute();
  return { id, token, expiresAt: now + SESSION_TTL_MS };
}

export async function resolveSession(db: Kysely<RealmDatabase>, token: string): Promise<ResolvedSession | undefined> {
  const now = Date.now();
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id', 'sessions.user_id', 'sessions.last_seen_at', 'sessions.expires_at', 'users.handle'])
    .where('sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= now) return undefined;
  if (now - row.last_seen_at > TOUCH_EVERY_MS) {
    // sliding expiry, written at most every few minutes per session
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now, expires_at: now + SESSION_TTL_MS })
      .where('id', '=', row.id)
      .execute();
  }
  return { sessionId: row.id, userId: row.user_id, handle: row.handle };
}

export async function endSession(db: Kysely<RealmDatabase>, sessionId: string) {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of a person except, optionally, the one in use. */
export async function endOtherSessions(db: Kysely<RealmDatabase>, userId: string, keepSessionId?: string) {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepSessionId) q = q.where('id', '!=', keepSessionId);
  await q.execute();
}
