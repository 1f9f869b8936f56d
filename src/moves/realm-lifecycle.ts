import type { Reelm } from '../context.ts';
import { FlowDeliverer } from '../flows/deliverer.ts';
import { detachFromGraph } from '../graph/service.ts';
import { realmStatus, setRealmState, type RealmStatus } from '../realm/lifecycle.ts';
import type { RealmStore } from '../realm/store.ts';
import { writeRealmLog } from '../residency/realm-log.ts';
import { deletePost } from '../social/posts.ts';
import { RealmTransactor } from '../realm/transactor.ts';

// Suspending, resuming and closing a realm (R10, R11). The state lives in the realm's own
// database (src/realm/lifecycle.ts), so every process of the realm follows it within seconds.
// Closing: people are told (their API answers carry the state, GET /api/v1/me/realm-status) and
// may download their data until closes_at; the purge then tells other realms to drop what they
// hold of the realm's people (through their declared flows), deletes every row and every file,
// and reports what is left — zero rows and zero files, counted from the registry and the blob store.

/** System tables a closed realm keeps: its identity and state, and the flow sequence counters
 * (operational numbers only; without them a peer's late messages would be taken for replays). */
const KEPT_AFTER_PURGE = new Set(['realm_meta', 'realm_countries', 'realm_lifecycle', 'flow_send_state', 'flow_receive_state']);

export class LifecycleRefused extends Error {}

function storeOf(reelm: Reelm, realm: string): RealmStore {
  if (!reelm.realms.has(realm)) throw new LifecycleRefused(`realm "${realm}" is not open in this process (known: ${reelm.realms.names().join(', ')})`);
  return reelm.realms.get(realm);
}

export async function suspendRealm(reelm: Reelm, realm: string, reason = 'suspended by the operator'): Promise<RealmStatus> {
  const store = storeOf(reelm, realm);
  const now = await realmStatus(store, 0);
  if (now.state !== 'open' && now.state !== 'suspended') throw new LifecycleRefused(`realm ${realm} is ${now.state}; only an open realm can be suspended`);
  await setRealmState(store, 'suspended', { reason });
  writeRealmLog(store.manifest, 'realm_suspended', { reason });
  return realmStatus(store, 0);
}

export async function resumeRealm(reelm: Reelm, realm: string): Promise<RealmStatus> {
  const store = storeOf(reelm, realm);
  const now = await realmStatus(store, 0);
  if (now.state !== 'suspended' && now.state !== 'open') throw new LifecycleRefused(`realm ${realm} is ${now.state}; only a suspended realm can be resumed`);
  await setRealmState(store, 'open');
  writeRealmLog(store.manifest, 'realm_resumed', {});
  return realmStatus(store, 0);
}

/** Starts closing: people are told and may download their data until `closesAt`. */
export async function startClosing(reelm: Reelm, realm: string, opts: { days?: number; reason?: string } = {}): Promise<RealmStatus> {
  const store = storeOf(reelm, realm);
  const now = await realmStatus(store, 0);
  if (now.state === 'closing' || now.state === 'purging' || now.state === 'closed') return now; // run again: same end state
  const days = opts.days ?? reelm.config.moves.closeDays;
  await setRealmState(store, 'closing', { reason: opts.reason ?? 'the realm is closing', closesAt: Date.now() + Math.round(days * 86_400_000) });
  const people = await store.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  writeRealmLog(store.manifest, 'realm_closing', { closesAt: Date.now() + days * 86_400_000, people: Number(people.n) });
  return realmStatus(store, 0);
}

export interface ClosingReport {
  realm: string;
  people: number;
  /** rows left per table (every table of the registry except the kept system counters) */
  rowsLeft: Record<string, number>;
  totalRows: number;
  filesLeft: number;
  pendingFlows: number;
  state: RealmStatus['state'];
}

/** Counts what a realm still holds: rows of every registry table (bar the kept counters) and blobs. */
export async function countRemaining(store: RealmStore): Promise<Pick<ClosingReport, 'rowsLeft' | 'totalRows' | 'filesLeft'>> {
  const rowsLeft: Record<string, number> = {};
  for (const t of store.schema.tables) {
    if (KEPT_AFTER_PURGE.has(t.name)) continue;
    const r = await store.db
      .selectFrom(t.name as 'users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    rowsLeft[t.name] = Number(r.n);
  }
  let filesLeft = 0;
  for await (const _ of store.blobs.list('')) filesLeft++;
  return { rowsLeft, totalRows: Object.values(rowsLeft).reduce((a, b) => a + b, 0), filesLeft };
}

/**
 * Purges a closing realm once its download period is over (or `force`): tells other realms to drop
 * what they hold of its people, delivers that, deletes every row and file, and reports. Resumable:
 * run again after a crash, it continues from what is left.
 */
export async function purgeRealm(reelm: Reelm, realm: string, opts: { force?: boolean; now?: number } = {}): Promise<ClosingReport> {
  const store = storeOf(reelm, realm);
  const status = await realmStatus(store, 0);
  if (status.state === 'open' || status.state === 'suspended')
    throw new LifecycleRefused(`realm ${realm} is ${status.state}: close it first (reelm realm close ${realm})`);
  if (status.state === 'closing' && !opts.force && (status.closesAt ?? 0) > (opts.now ?? Date.now())) {
    throw new LifecycleRefused(
      `realm ${realm} closes at ${new Date(status.closesAt!).toISOString()}; people may download their data until then (--now purges anyway)`,
    );
  }
  if (status.state === 'closing') await setRealmState(store, 'purging', { reason: status.reason, closesAt: status.closesAt });
  const people = await store.db.selectFrom('users').select(['id', 'handle']).execute();
  for (const p of people) {
    const viewer = { userId: p.id, realm, handle: p.handle, sessionId: '' };
    // their posts leave every realm through social.post_removed; their follows through the graph flows
    const posts = await store.db.selectFrom('posts').select('video_id').where('owner_id', '=', p.id).execute();
    for (const { video_id } of posts) await deletePost(reelm, viewer, video_id);
    await store.db.transaction().execute(async (trx) => {
      await detachFromGraph(new RealmTransactor(store, trx), p.id);
      await trx.deleteFrom('follows').where('follower_id', '=', p.id).execute();
      await trx.deleteFrom('follower_edges').where('followee_id', '=', p.id).execute();
    });
  }
  const delivery = await new FlowDeliverer(reelm, { realms: [store] }).deliverOnce();
  if (delivery.pending === 0) {
    await deleteAllRows(store);
    await store.blobs.deletePrefix('');
    await store.raw('VACUUM'); // freed pages hold no deleted bytes (SQLite); dead tuples go (PostgreSQL)
    for (const p of people) await reelm.directory.release(p.id);
    await setRealmState(store, 'closed', { reason: status.reason, closesAt: status.closesAt });
  }
  const left = await countRemaining(store);
  const final = await realmStatus(store, 0);
  const report: ClosingReport = { realm, people: people.length, ...left, pendingFlows: delivery.pending, state: final.state };
  writeRealmLog(store.manifest, 'realm_purge', { state: final.state, people: people.length, totalRows: left.totalRows, filesLeft: left.filesLeft });
  return report;
}

async function deleteAllRows(store: RealmStore) {
  // Children before parents (foreign keys); a table a constraint still holds is retried after the others.
  let pending = store.schema.tables.filter((t) => !KEPT_AFTER_PURGE.has(t.name)).reverse();
  for (let round = 0; pending.length > 0 && round < 5; round++) {
    const failed: typeof pending = [];
    for (const t of pending) {
      try {
        await store.db.deleteFrom(t.name as 'users').execute();
      } catch {
        failed.push(t);
      }
    }
    pending = failed;
  }
  if (pending.length) throw new Error(`purge could not empty: ${pending.map((t) => t.name).join(', ')}`);
}
