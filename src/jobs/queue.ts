import { sql, type Kysely, type Transaction } from 'kysely';
import { dialectOf, isUniqueViolation } from '../realm/database.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import { newId } from '../lib/ids.ts';
import type { JobsTable } from './schema.ts';

// Queue operations on a realm's `jobs` table. Claiming is one atomic statement:
// PostgreSQL locks the chosen row with FOR UPDATE SKIP LOCKED so concurrent
// workers pick different jobs; SQLite serialises writers, and the UPDATE re-checks
// the claimable condition, so two workers can never both win the same row.
// Every later transition names the lease owner, so a worker that lost its
// lease (it stalled and someone else took over) cannot overwrite the outcome.

export type Job = JobsTable;
type Db = Kysely<RealmDatabase> | Transaction<RealmDatabase>;

export interface EnqueueInput {
  kind: string;
  ownerId: string;
  payload: unknown;
  dedupeKey?: string;
  maxAttempts?: number;
  runAt?: number;
}

/** A failure a handler raises on purpose. `permanent` skips the remaining retries. */
export class JobError extends Error {
  readonly code: string;
  readonly permanent: boolean;
  constructor(code: string, message: string, opts: { permanent?: boolean } = {}) {
    super(message);
    this.code = code;
    this.permanent = opts.permanent ?? false;
  }
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}
export const defaultBackoff: Backoff = { baseMs: 2_000, maxMs: 10 * 60_000 };

/** Exponential backoff with ±20% jitter so retries of many jobs do not stampede. */
export function backoffDelay(attempts: number, b: Backoff = defaultBackoff): number {
  const raw = Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

/** Inserts a job (inside the caller's transaction when given one). With a dedupe key, returns the existing job instead of a second one. */
export async function enqueue(db: Db, input: EnqueueInput, now = Date.now()): Promise<Job> {
  if (input.dedupeKey) {
    const existing = await db.selectFrom('jobs').selectAll().where('dedupe_key', '=', input.dedupeKey).executeTakeFirst();
    if (existing) return existing;
  }
  const row: Job = {
    id: newId(now),
    owner_id: input.ownerId,
    kind: input.kind,
    payload: JSON.stringify(input.payload ?? {}),
    state: 'queued',
    dedupe_key: input.dedupeKey ?? null,
    attempts: 0,
    max_attempts: input.maxAttempts ?? 5,
    run_at: input.runAt ?? now,
    lease_owner: null,
    lease_until: null,
    progress: 0,
    error_code: null,
    error_message: null,
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
  try {
    await db.insertInto('jobs').values(row).execute();
  } catch (err) {
    if (input.dedupeKey && isUniqueViolation(err)) {
      return await db.selectFrom('jobs').selectAll().where('dedupe_key', '=', input.dedupeKey).executeTakeFirstOrThrow();
    }
    throw err;
  }
  return row;
}

/** Claims the next runnable job of the given kinds: queued and due, or running under an expired lease. */
export async function claim(
  db: Kysely<RealmDatabase>,
  workerId: string,
  kinds: readonly string[],
  leaseMs: number,
  now = Date.now(),
): Promise<Job | undefined> {
  if (kinds.length === 0) return undefined;
  const claimable = sql`kind in (${sql.join(kinds)}) and ((state = 'queued' and run_at <= ${now}) or (state = 'running' and lease_until < ${now}))`;
  const lock = dialectOf(db) === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<Job>`
    update jobs set state = 'running', lease_owner = ${workerId}, lease_until = ${now + leaseMs},
      attempts = attempts + 1, updated_at = ${now}
    where id = (select id from jobs where ${claimable} order by run_at, id limit 1 ${lock})
      and ${claimable}
    returning *`.execute(db);
  return result.rows[0];
}

/** Extends the lease and records progress. False when this worker no longer holds the job. */
export async function heartbeat(db: Kysely<RealmDatabase>, job: Job, workerId: string, leaseMs: number, progress: number, now = Date.now()): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ lease_until: now + leaseMs, progress: Math.max(0, Math.min(100, Math.round(progress))), updated_at: now })
    .where('id', '=', job.id)
    .where('lease_owner', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function complete(db: Kysely<RealmDatabase>, job: Job, workerId: string, now = Date.now()): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'done', progress: 100, lease_owner: null, lease_until: null, error_code: null, error_message: null, updated_at: now, finished_at: now })
    .where('id', '=', job.id)
    .where('lease_owner', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records a failed attempt: back to the queue after a backoff, or failed for good. Returns the resulting state, or undefined if the lease was lost. */
export async function fail(
  db: Kysely<RealmDatabase>,
  job: Job,
  workerId: string,
  error: { code: string; message: string; permanent: boolean },
  backoff: Backoff = defaultBackoff,
  now = Date.now(),
): Promise<'queued' | 'failed' | undefined> {
  const final = error.permanent || job.attempts >= job.max_attempts;
  const r = await db
    .updateTable('jobs')
    .set({
      state: final ? 'failed' : 'queued',
      run_at: final ? job.run_at : now + backoffDelay(job.attempts, backoff),
      lease_owner: null,
      lease_until: null,
      error_code: error.code,
      error_message: error.message.slice(0, 2000),
      updated_at: now,
      finished_at: final ? now : null,
    })
    .where('id', '=', job.id)
    .where('lease_owner', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return undefined;
  return final ? 'failed' : 'queued';
}

/** Gives a job back without counting the attempt (graceful worker shutdown). */
export async function release(db: Kysely<RealmDatabase>, job: Job, workerId: string, now = Date.now()): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ state: 'queued', attempts: sql`attempts - 1`, lease_owner: null, lease_until: null, run_at: now, updated_at: now })
    .where('id', '=', job.id)
    .where('lease_owner', '=', workerId)
    .where('state', '=', 'running')
    .execute();
}
