import type { Reelm } from '../context.ts';
import { emitFlow } from '../flows/outbox.ts';
import { putOwned } from '../blobs/resident-blobs.ts';
import { ownerPrefix } from '../blobs/blob-store.ts';
import { newId } from '../lib/ids.ts';
import { dialectOf } from '../realm/database.ts';
import { realmStatus } from '../realm/lifecycle.ts';
import type { RealmStore } from '../realm/store.ts';
import { writeRealmLog } from '../residency/realm-log.ts';
import { archivePrefix, canonicalPersonData, collectPersonData, countPersonData, personDataDigest, type PersonData } from '../rights/person-data.ts';
import { purgeStores } from '../rights/erasure.ts';
import { insertPersonRecords, removePersonRecords } from '../rights/restore.ts';
import { redactSubject } from '../staff/audit-chain.ts';
import { MOVE_STEPS, type AccountMovesTable, type MoveStep } from './schema.ts';

// Moving a person to another home realm (R7–R9). Steps, each persisted in the move record before
// the next begins, so a move killed anywhere and run again reaches the same end:
//   requested → held      the source holds the person's data (src/realm/person-hold.ts): from now on
//                         nothing of theirs is written there; their writes get 503 account_moving
//   held → copied         every row of every resident table and every file of theirs (the archive's
//                         set: src/rights/person-data.ts) is written into the destination; sessions
//                         are not carried: they end with the move (P4)
//   copied → verified     the destination's copy is enumerated again and must equal the source's,
//                         records and file checksums (a mismatch copies again)
//   verified → switched   the directory routes the person to the destination: it alone accepts
//                         their writes from here on
//   switched → relocated  every realm is told (moves.relocated) to re-point what it holds of them
//   relocated → erased    the source deletes every row and file of theirs, their sessions included,
//                         redacts their staff-access entries, and lifts the hold
//   erased → done         the source forgets the move; the destination keeps the record and report
// During the whole move exactly one realm accepts the person's writes: the source until the hold,
// nobody (refused, retryable) while held, the destination after the switch.

export class MoveRefused extends Error {}

/** Test and benchmark hook: called at each named point of a move; throwing there simulates a crash. */
export type MoveHook = (point: MovePoint) => void | Promise<void>;
export type MovePoint = MoveStep | 'copy-rows' | 'copy-blobs' | 'erase-rows' | 'erase-blobs';
/** Every point a move can be interrupted at, in the order a move passes them (the crash tests walk this list). */
export const MOVE_POINTS: readonly MovePoint[] = [
  'requested',
  'held',
  'copy-rows',
  'copy-blobs',
  'copied',
  'verified',
  'switched',
  'relocated',
  'erase-rows',
  'erase-blobs',
  'erased',
];

export interface MoveReport {
  moveId: string;
  userId: string;
  handle: string;
  from: string;
  to: string;
  step: MoveStep;
  copied: { rows: number; files: number; bytes: number };
  verified: boolean;
  digest: string | null;
  /** what the source still holds of the person (0 and 0 when done) */
  left: { rows: number; files: number };
}

/** Tables a move does not carry: sessions end with the move (P4). */
const NOT_CARRIED = new Set(['sessions']);
/** Columns that differ by design between the source's and the destination's copy. */
const MOVED_COLUMNS = { users: ['home_realm', 'country'] } as const;

export interface MoveRequest {
  /** handle or user id */
  person: string;
  to: string;
  /** the person's country in the new realm (default: their current one); must be homed there */
  country?: string;
  requestedBy?: string;
}

/** The person's unfinished move, as far as it got: source and destination may each hold its record,
 * one step apart after a crash between the two writes; the furthest step is the truth. */
export async function findActiveMove(reelm: Reelm, userId: string): Promise<{ store: RealmStore; move: AccountMovesTable } | undefined> {
  let best: { store: RealmStore; move: AccountMovesTable } | undefined;
  for (const store of reelm.realms.all()) {
    const move = await store.db.selectFrom('account_moves').selectAll().where('user_id', '=', userId).where('step', '!=', 'done').executeTakeFirst();
    if (move && (!best || MOVE_STEPS.indexOf(move.step) > MOVE_STEPS.indexOf(best.move.step))) best = { store, move };
  }
  return best;
}

/** Starts a move, or continues the one in progress for that person; returns its report. */
export async function movePerson(reelm: Reelm, req: MoveRequest, hook: MoveHook = () => undefined): Promise<MoveReport> {
  return runMove(reelm, await requestMove(reelm, req), hook);
}

/**
 * Records a move (step `requested`) after checking it may run: the account exists, the policy homes
 * the person's (new) country in the destination, both realms are open. A move already in progress for
 * the person is returned as it is (same destination), so asking again is harmless.
 */
export async function requestMove(reelm: Reelm, req: MoveRequest): Promise<AccountMovesTable> {
  const entry = /^[0-9a-z]{26}$/.test(req.person) ? await reelm.directory.byUserId(req.person) : await reelm.directory.byHandle(req.person);
  if (!entry) throw new MoveRefused(`no account "${req.person}"`);
  const active = await findActiveMove(reelm, entry.userId);
  if (active) {
    if (active.move.to_realm !== req.to)
      throw new MoveRefused(`a move of ${entry.handleKey} to ${active.move.to_realm} is in progress; run it to its end first`);
    return active.move;
  }
  if (entry.realm === req.to) throw new MoveRefused(`${entry.handleKey} already lives in realm ${req.to}`);
  const from = openStore(reelm, entry.realm);
  const to = openStore(reelm, req.to);
  for (const s of [from, to]) {
    const { state } = await realmStatus(s, 0);
    if (state !== 'open' && !(s === from && state === 'closing')) throw new MoveRefused(`realm ${s.name} is ${state}: no move can run now`);
  }
  const user = await from.db.selectFrom('users').select(['id', 'country']).where('id', '=', entry.userId).executeTakeFirst();
  if (!user) throw new MoveRefused(`realm ${from.name} does not hold ${entry.handleKey} (run \`reelm audit\`)`);
  const country = (req.country ?? user.country).toUpperCase();
  if (reelm.policy.homeRealmFor(country) !== to.name) {
    throw new MoveRefused(
      `the policy homes ${country} in realm ${reelm.policy.homeRealmFor(country) ?? '(none)'}, not ${to.name}: give the person's new country`,
    );
  }
  const now = Date.now();
  const move: AccountMovesTable = {
    id: newId(now),
    user_id: entry.userId,
    from_realm: from.name,
    to_realm: to.name,
    country,
    step: 'requested',
    requested_by: req.requestedBy ?? 'operator',
    digest: null,
    report: null,
    created_at: now,
    updated_at: now,
  };
  await from.db.insertInto('account_moves').values(move).execute();
  writeRealmLog(from.manifest, 'move_requested', { moveId: move.id, userId: move.user_id, to: to.name, by: move.requested_by });
  return move;
}

function openStore(reelm: Reelm, realm: string): RealmStore {
  if (!reelm.realms.has(realm)) throw new MoveRefused(`realm "${realm}" is not open in this process: a move needs both realms' stores`);
  return reelm.realms.get(realm);
}

async function setStep(stores: RealmStore[], move: AccountMovesTable, step: MoveStep, extra: Partial<AccountMovesTable> = {}) {
  Object.assign(move, extra, { step, updated_at: Date.now() });
  for (const s of stores) {
    await s.db
      .updateTable('account_moves')
      .set({ step, updated_at: move.updated_at, ...extra })
      .where('id', '=', move.id)
      .execute();
  }
}

/** Runs a recorded move from its current step to the end (resumable: each step is persisted before the next). */
export async function runMove(reelm: Reelm, move: AccountMovesTable, hook: MoveHook = () => undefined): Promise<MoveReport> {
  const from = openStore(reelm, move.from_realm);
  const to = openStore(reelm, move.to_realm);
  const both = [from, to];
  let copied = move.report ? (JSON.parse(move.report) as MoveReport['copied']) : { rows: 0, files: 0, bytes: 0 };
  while (move.step !== 'done') {
    await hook(move.step);
    switch (move.step) {
      case 'requested':
        await hold(from, move);
        await setStep([from], move, 'held');
        break;
      case 'held':
        // never copy over a destination that already serves the person
        if ((await reelm.directory.byUserId(move.user_id))?.realm === to.name)
          throw new Error(`move ${move.id}: routing already switched; refusing to copy again`);
        copied = await copy(from, to, move, hook);
        await setStep(both, move, 'copied', { report: JSON.stringify(copied) });
        break;
      case 'copied': {
        const digest = await verify(from, to, move.user_id);
        // a copy that does not match is made again from the start of the copy
        if (!digest) await setStep([from], move, 'held');
        else await setStep(both, move, 'verified', { digest });
        break;
      }
      case 'verified':
        await reelm.directory.reroute(move.user_id, to.name);
        await setStep(both, move, 'switched');
        break;
      case 'switched':
        await to.db.transaction().execute(async (trx) => {
          for (const realm of reelm.policy.realms.keys()) {
            await emitFlow(to, trx, { flow: 'moves.relocated', to: realm, payload: { user_id: move.user_id, from_realm: from.name, to_realm: to.name } });
          }
          await trx.updateTable('account_moves').set({ step: 'relocated', updated_at: Date.now() }).where('id', '=', move.id).execute();
        });
        await setStep([from], move, 'relocated');
        break;
      case 'relocated':
        await erase(reelm, from, move.user_id, hook);
        await setStep(both, move, 'erased');
        break;
      case 'erased':
        await from.db.deleteFrom('account_moves').where('id', '=', move.id).execute();
        await setStep([to], move, 'done');
        writeRealmLog(to.manifest, 'move_done', { moveId: move.id, userId: move.user_id, from: from.name, rows: copied.rows, files: copied.files });
        break;
      default:
        throw new Error(`move ${move.id}: unknown step ${String(move.step)}`);
    }
  }
  await hook('done');
  const left = countPersonData(await collectPersonData(from, move.user_id, { hashBlobs: false }));
  const handle = (await to.db.selectFrom('users').select('handle').where('id', '=', move.user_id).executeTakeFirst())?.handle ?? '';
  return {
    moveId: move.id,
    userId: move.user_id,
    handle,
    from: from.name,
    to: to.name,
    step: move.step,
    copied,
    verified: move.digest !== null,
    digest: move.digest,
    left: { rows: left.rows, files: left.blobs + left.archives },
  };
}

/** Holds the person's data in the source, then waits out transactions that began before the hold. */
async function hold(from: RealmStore, move: AccountMovesTable) {
  await from.db
    .insertInto('held_people')
    .values({ user_id: move.user_id, reason: `move ${move.id}`, since: Date.now() })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
  // SQLite has one writer at a time, so no write that passed the hold check is still open. On
  // PostgreSQL a transaction that wrote before the hold may still commit: wait until none is left.
  if (dialectOf(from.db) !== 'postgres') return;
  const since = Date.now();
  for (let i = 0; i < 300; i++) {
    const open = await from.raw<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND xact_start IS NOT NULL AND xact_start < to_timestamp(${since / 1000})`,
    );
    if (Number(open.rows[0]?.n ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new MoveRefused(`realm ${from.name}: transactions older than the hold are still open after 30 s; run the move again`);
}

/** What is compared between the two copies: everything carried, without the columns a move changes. */
function comparable(d: PersonData): string {
  return canonicalPersonData(d, { omitTables: [...NOT_CARRIED], omitColumns: MOVED_COLUMNS });
}

async function copy(from: RealmStore, to: RealmStore, move: AccountMovesTable, hook: MoveHook): Promise<MoveReport['copied']> {
  const data = await collectPersonData(from, move.user_id, { hashBlobs: false });
  // A copy interrupted earlier left some of it: start from nothing (the destination holds nothing else of them).
  await removePersonRecords(to, move.user_id);
  await to.db
    .insertInto('account_moves')
    .values({ ...move, step: 'held' })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  let rows = 0;
  await to.db.transaction().execute(async (trx) => {
    rows = await insertPersonRecords(to, trx, data.records, {
      skip: NOT_CARRIED,
      map: (table, r) => (table === 'users' ? { ...r, home_realm: to.name, country: move.country } : r),
    });
    await hook('copy-rows');
  });
  let bytes = 0;
  for (const b of [...data.blobs]) {
    const info = await from.blobs.stat(b.key);
    const body = await from.blobs.getBuffer(b.key);
    await putOwned(to, move.user_id, b.key, body, { contentType: info?.contentType });
    bytes += body.length;
  }
  await hook('copy-blobs');
  writeRealmLog(to.manifest, 'move_copied', { moveId: move.id, userId: move.user_id, from: from.name, rows, files: data.blobs.length });
  return { rows, files: data.blobs.length, bytes };
}

/** The canonical digest when the destination's copy equals the source's (records and file checksums), else null. */
async function verify(from: RealmStore, to: RealmStore, userId: string): Promise<string | null> {
  const [a, b] = await Promise.all([collectPersonData(from, userId), collectPersonData(to, userId)]);
  if (comparable(a) !== comparable(b)) return null;
  return personDataDigest(b, { omitTables: [...NOT_CARRIED], omitColumns: MOVED_COLUMNS });
}

async function erase(reelm: Reelm, from: RealmStore, userId: string, hook: MoveHook) {
  await removePersonRecords(from, userId); // lifts the hold in the same transaction: nothing is left to write to
  await hook('erase-rows');
  await from.db.transaction().execute((trx) => redactSubject(from, trx, reelm.auditKey, userId));
  await from.blobs.deletePrefix(ownerPrefix(userId));
  await from.blobs.deletePrefix(archivePrefix(from, userId));
  await hook('erase-blobs');
  // what a byte scan would still find: delivered copies of their messages (kept 7 days otherwise), their
  // realm-log lines, freed database pages / dead tuples (src/rights/erasure.ts); messages in transit stay
  await from.db.deleteFrom('flow_outbox').where('state', '!=', 'pending').where('payload', 'like', `%${userId}%`).execute();
  await purgeStores(from, [userId]);
  writeRealmLog(from.manifest, 'move_erased', { userId });
}

export { MOVE_STEPS };
