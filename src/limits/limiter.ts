import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Viewer } from '../api/auth.ts';
import { tooMany } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import type { RealmStore } from '../realm/store.ts';
import type { LimitAction } from './config.ts';

// Abuse limits per account and per client address, counted in a realm database
// (rate_counters), so every API process of a realm shares them. Sliding window
// estimated from two fixed windows: previous × (time left of it) + current.
// A refused request is not counted (the increment is undone), so Retry-After holds.

export type SubjectKind = 'account' | 'address' | 'device';

export interface Subject {
  kind: SubjectKind;
  /** an account id, a client address, or a device id; only its keyed hash is stored */
  id: string;
}

const LABELS: Record<LimitAction, string> = {
  signUp: 'sign-ups',
  logIn: 'failed log-ins',
  passwordChange: 'failed password changes',
  comment: 'comments',
  share: 'shares',
  follow: 'follows',
  like: 'likes',
  watchEvents: 'watch events',
  upload: 'uploads',
};

function limitOf(reelm: Reelm, action: LimitAction, kind: SubjectKind): { limit: number; windowMs: number } {
  const r = reelm.config.limits.actions[action];
  return { limit: kind === 'address' ? r.perAddress : r.perAccount, windowMs: r.windowSeconds * 1000 };
}

function keyOf(reelm: Reelm, action: LimitAction, s: Subject): string {
  return createHmac('sha256', reelm.secret).update(`reelm-limits-v1\0${action}\0${s.kind}\0${s.id}`).digest('base64url');
}

/** Where counters of requests not yet tied to a realm (sign-up, log-in by address) are kept: this process's first realm. */
export function addressStore(reelm: Reelm): RealmStore {
  return reelm.realms.get([...reelm.realms.names()].sort()[0]!);
}

interface Counter {
  windowStart: number;
  count: number;
  prev: number;
}

function estimate(c: Counter, now: number, windowMs: number): number {
  const elapsed = (now - c.windowStart) / windowMs;
  return c.prev * Math.max(0, 1 - elapsed) + c.count;
}

/** Seconds until `cost` more fits under `limit`. */
function retryAfter(c: Counter, now: number, windowMs: number, limit: number, cost: number): number {
  let at: number;
  if (cost > limit) at = c.windowStart + 2 * windowMs;
  else if (c.count + cost <= limit) at = c.windowStart + windowMs * (c.prev > 0 ? 1 - (limit - c.count - cost) / c.prev : 0);
  else at = c.windowStart + windowMs + windowMs * (c.count > 0 ? 1 - (limit - cost) / c.count : 0);
  return Math.max(1, Math.ceil((at - now) / 1000));
}

function refusal(action: LimitAction, seconds: number) {
  return tooMany('rate_limited', `Too many ${LABELS[action]} in a short time. Please wait ${seconds} s and try again.`, seconds);
}

/** Reads a counter as of `now` (rolled forward to the current window). */
async function read(store: RealmStore, key: string, now: number, windowMs: number): Promise<Counter> {
  const ws = Math.floor(now / windowMs) * windowMs;
  const row = await store.db.selectFrom('rate_counters').select(['window_start', 'count', 'prev_count']).where('key', '=', key).executeTakeFirst();
  if (!row) return { windowStart: ws, count: 0, prev: 0 };
  const start = Number(row.window_start);
  if (start === ws) return { windowStart: ws, count: Number(row.count), prev: Number(row.prev_count) };
  return { windowStart: ws, count: 0, prev: start === ws - windowMs ? Number(row.count) : 0 };
}

/** Adds `cost` (negative to undo) atomically; returns the counter after it. */
async function add(store: RealmStore, key: string, now: number, windowMs: number, cost: number): Promise<Counter> {
  const ws = Math.floor(now / windowMs) * windowMs;
  const row = await store.db
    .insertInto('rate_counters')
    .values({ key, window_start: ws, count: Math.max(0, cost), prev_count: 0, expires_at: ws + 2 * windowMs })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        prev_count: sql`case when rate_counters.window_start = ${ws} then rate_counters.prev_count when rate_counters.window_start = ${ws - windowMs} then rate_counters.count else 0 end`,
        count: sql`case when rate_counters.window_start = ${ws} then (case when rate_counters.count + ${cost} < 0 then 0 else rate_counters.count + ${cost} end) else ${Math.max(0, cost)} end`,
        window_start: ws,
        expires_at: ws + 2 * windowMs,
      }),
    )
    .returning(['window_start', 'count', 'prev_count'])
    .executeTakeFirstOrThrow();
  return { windowStart: Number(row.window_start), count: Number(row.count), prev: Number(row.prev_count) };
}

/**
 * Counts `cost` against every subject; when any of them would go over its limit, nothing is
 * counted and the request is refused: 429 `rate_limited` with Retry-After.
 */
export async function consume(reelm: Reelm, store: RealmStore, action: LimitAction, subjects: readonly Subject[], cost = 1, now = Date.now()): Promise<void> {
  const done: { key: string; windowMs: number }[] = [];
  for (const s of subjects) {
    const { limit, windowMs } = limitOf(reelm, action, s.kind);
    if (limit === 0 || cost <= 0) continue;
    const key = keyOf(reelm, action, s);
    const after = await add(store, key, now, windowMs, cost);
    done.push({ key, windowMs });
    if (estimate(after, now, windowMs) > limit) {
      const before = { ...after, count: after.count - cost };
      for (const d of done) await add(store, d.key, now, d.windowMs, -cost);
      throw refusal(action, retryAfter(before, now, windowMs, limit, cost));
    }
  }
}

/** For counted failures (log-in, password change): refuses when one more would go over the limit; counts nothing. */
export async function checkFailures(reelm: Reelm, store: RealmStore, action: LimitAction, subjects: readonly Subject[], now = Date.now()): Promise<void> {
  for (const s of subjects) {
    const { limit, windowMs } = limitOf(reelm, action, s.kind);
    if (limit === 0) continue;
    const c = await read(store, keyOf(reelm, action, s), now, windowMs);
    if (estimate(c, now, windowMs) + 1 > limit) throw refusal(action, retryAfter(c, now, windowMs, limit, 1));
  }
}

export async function recordFailure(reelm: Reelm, store: RealmStore, action: LimitAction, subjects: readonly Subject[], now = Date.now()): Promise<void> {
  for (const s of subjects) {
    const { limit, windowMs } = limitOf(reelm, action, s.kind);
    if (limit > 0) await add(store, keyOf(reelm, action, s), now, windowMs, 1);
  }
}

/** Forgets a subject's counted failures (a successful log-in clears its account's or device's count). */
export async function clearFailures(reelm: Reelm, store: RealmStore, action: LimitAction, subject: Subject): Promise<void> {
  await store.db
    .deleteFrom('rate_counters')
    .where('key', '=', keyOf(reelm, action, subject))
    .execute();
}

/** A signed-in person's action: counted per account and per address in their home realm. */
export async function limitViewer(reelm: Reelm, viewer: Viewer, address: string, action: LimitAction, cost = 1): Promise<void> {
  await consume(
    reelm,
    reelm.realms.get(viewer.realm),
    action,
    [
      { kind: 'account', id: viewer.userId },
      { kind: 'address', id: address },
    ],
    cost,
  );
}

/** Removes counters whose windows have both passed. */
export async function pruneCounters(store: RealmStore, now = Date.now()): Promise<number> {
  const r = await store.db.deleteFrom('rate_counters').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
