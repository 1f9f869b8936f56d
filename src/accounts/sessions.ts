import type { Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import { newId, newToken, sha256 } from '../lib/ids.ts';
import { preparedQuery } from '../realm/prepared.ts';
import type { UsersTable } from './schema.ts';

// Server-side sessions. The token (256 random bits) is shown once and stored
// only as its SHA-256. Its prefix names the realm that holds the session, so a
// request is routed to one realm without a global session table.

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export interface ResolvedSession {
  sessionId: string;
  userId: string;
  handle: string;
  /** the person's users row, read with the session */
  user: UsersTable;
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

// The session and its person in one statement: `/api/v1/me` answers from this row (sessionUser)
// instead of reading the user again, and the statement is compiled once (src/realm/prepared.ts).
// Written as the users row with the session's fields as scalar subqueries on the token index, not
// as a join: on SQLite the join form costs about 3× as much per call (18 µs against 6 µs, measured
// on this machine's realm files; docs/BENCHMARKS.md "API throughput").
const sessionByTokenHash = preparedQuery(['tokenHash'], (db: Kysely<RealmDatabase>, p) => {
  const session = <C extends 'id' | 'user_id' | 'last_seen_at' | 'expires_at'>(column: C) =>
    db.selectFrom('sessions').select(column).where('sessions.token_hash', '=', p.tokenHash);
  return db
    .selectFrom('users')
    .select([session('id').as('session_id'), session('last_seen_at').as('session_last_seen_at'), session('expires_at').as('session_expires_at')])
    .selectAll('users')
    .where('users.id', '=', session('user_id'));
});

export async function resolveSession(db: Kysely<RealmDatabase>, token: string): Promise<ResolvedSession | undefined> {
  const now = Date.now();
  const [row] = await sessionByTokenHash(db, { tokenHash: sha256(token) });
  if (!row || row.session_id === null || row.session_expires_at === null || row.session_last_seen_at === null || row.session_expires_at <= now)
    return undefined;
  if (now - row.session_last_seen_at > TOUCH_EVERY_MS) {
    // sliding expiry, written at most every few minutes per session
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now, expires_at: now + SESSION_TTL_MS })
      .where('id', '=', row.session_id)
      .execute();
  }
  const { session_id, session_last_seen_at: _seen, session_expires_at: _expires, ...user } = row;
  return { sessionId: session_id, userId: user.id, handle: user.handle, user };
}

// The users row read with a request's session, by the request's viewer object (one per request).
const sessionUsers = new WeakMap<object, UsersTable>();

export function rememberSessionUser(viewer: object, user: UsersTable) {
  sessionUsers.set(viewer, user);
}

/** The viewer's users row as read with their session in this request, if it was. */
export function sessionUser(viewer: object): UsersTable | undefined {
  return sessionUsers.get(viewer);
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

export interface SessionSummary {
  id: string;
  kind: string;
  device: string;
  userAgent: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}

/** A person's live sessions for "Sessions" in settings: never the token or its hash. */
export async function listSessions(db: Kysely<RealmDatabase>, userId: string, currentSessionId: string): Promise<SessionSummary[]> {
  const rows = await db
    .selectFrom('sessions')
    .select(['id', 'kind', 'user_agent', 'created_at', 'last_seen_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', Date.now())
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    device: deviceOf(r.user_agent, r.kind),
    userAgent: r.user_agent,
    createdAt: new Date(Number(r.created_at)).toISOString(),
    lastUsedAt: new Date(Number(r.last_seen_at)).toISOString(),
    expiresAt: new Date(Number(r.expires_at)).toISOString(),
    current: r.id === currentSessionId,
  }));
}

/** Ends one of the person's own sessions; false when it is not theirs (or already gone). */
export async function endOwnSession(db: Kysely<RealmDatabase>, userId: string, sessionId: string): Promise<boolean> {
  const r = await db.deleteFrom('sessions').where('id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// "Firefox on Android": enough for a person to recognise a device; the raw user agent is shown beside it.
const BROWSERS: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser/, 'Samsung Internet'],
  [/Firefox\/|FxiOS/, 'Firefox'],
  [/Chrome\/|CriOS|Chromium/, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
  [/node|undici/i, 'Node.js'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Windows/, 'Windows'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

export function deviceOf(userAgent: string | null, kind: string): string {
  const ua = userAgent ?? '';
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser ?? system) return (browser ?? system)!;
  return kind === 'bearer' ? 'An app or script (API token)' : 'Unknown browser';
}
