import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { SqlDialect } from './database.ts';
import type { RealmStore } from './store.ts';
import { defineTables, type TableSpec } from './tables.ts';

// A realm's lifecycle state (R10, R11), kept in the realm's own database so that
// every process of that realm sees it: `open`, `suspended` (nothing is written:
// the hold triggers below refuse every write, whoever issues it; the API answers
// 503 realm_suspended, job workers and flow delivery wait), `closing` (people
// are told and may download their data until closes_at), `purging` and `closed`.
// Processes read it through a short cache, so a change is seen within seconds.

export type RealmState = 'open' | 'suspended' | 'closing' | 'purging' | 'closed';

export interface RealmLifecycleTable {
  id: number;
  state: RealmState;
  reason: string | null;
  changed_at: number;
  closes_at: number | null;
}
export interface LifecycleTables {
  realm_lifecycle: RealmLifecycleTable;
}

export const lifecycleTables = defineTables([
  {
    name: 'realm_lifecycle',
    kind: 'system',
    purpose: 'the realm’s state (open, suspended, closing, purging, closed), read by every process of the realm',
    columns: { id: 'operational', state: 'operational', reason: 'operational', changed_at: 'operational', closes_at: 'operational' },
  },
]);

export const lifecycleMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('realm_lifecycle')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('changed_at', 'bigint', (c) => c.notNull())
      .addColumn('closes_at', 'bigint')
      .execute();
    await db.insertInto('realm_lifecycle').values({ id: 1, state: 'open', reason: null, changed_at: Date.now(), closes_at: null }).execute();
  },
};

export const REALM_SUSPENDED = 'realm_suspended';

/** How long a process trusts the state it read: "within seconds" of a change (R10). */
export const REALM_STATE_CACHE_MS = 2000;

export interface RealmStatus {
  state: RealmState;
  reason: string | null;
  changedAt: number;
  closesAt: number | null;
}

const cache = new WeakMap<RealmStore, { at: number; status: RealmStatus }>();

export async function realmStatus(store: RealmStore, maxAgeMs = REALM_STATE_CACHE_MS): Promise<RealmStatus> {
  const hit = cache.get(store);
  if (hit && Date.now() - hit.at < maxAgeMs) return hit.status;
  const row = await store.db.selectFrom('realm_lifecycle').selectAll().where('id', '=', 1).executeTakeFirst();
  const status: RealmStatus = row
    ? { state: row.state, reason: row.reason, changedAt: Number(row.changed_at), closesAt: row.closes_at === null ? null : Number(row.closes_at) }
    : { state: 'open', reason: null, changedAt: 0, closesAt: null };
  cache.set(store, { at: Date.now(), status });
  return status;
}

/** True while the realm must write nothing (workers, flow delivery and the API hold). */
export async function isRealmHeld(store: RealmStore): Promise<boolean> {
  return (await realmStatus(store)).state === 'suspended';
}

export async function setRealmState(store: RealmStore, state: RealmState, opts: { reason?: string | null; closesAt?: number | null } = {}) {
  await store.db
    .updateTable('realm_lifecycle')
    .set({ state, reason: opts.reason ?? null, changed_at: Date.now(), closes_at: opts.closesAt ?? null })
    .where('id', '=', 1)
    .execute();
  cache.delete(store);
}

/** A write refused because the realm is suspended (the hold trigger's message or SQLSTATE). */
export function isRealmSuspendedError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown };
  return e?.code === 'RS002' || (e?.message ?? '').includes(REALM_SUSPENDED) || (e?.cause !== undefined && e.cause !== err && isRealmSuspendedError(e.cause));
}

/** Tables a suspended realm may still write: its identity (rewritten at start-up) and this state. */
const UNHELD = new Set(['realm_meta', 'realm_countries', 'realm_lifecycle']);

/**
 * Installs, on every table of the registry, a trigger that refuses any write while the realm is
 * suspended: no write persists (R10), whether it comes from a route, a job, a flow or raw SQL.
 */
export async function installSuspensionHolds(db: Kysely<any>, dialect: SqlDialect, tables: readonly TableSpec[]) {
  const names = tables.map((t) => t.name).filter((n) => !UNHELD.has(n));
  if (dialect === 'sqlite') {
    const virtual = new Set(
      (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'`.execute(db)).rows.map((r) => r.name),
    );
    for (const table of names) {
      if (virtual.has(table)) continue; // written only beside a held table, in the same transaction
      for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
        await sql
          .raw(
            `CREATE TRIGGER IF NOT EXISTS realm_hold_${table}_${op.toLowerCase()} BEFORE ${op} ON ${table} FOR EACH ROW
             WHEN (SELECT state FROM realm_lifecycle WHERE id = 1) = 'suspended'
             BEGIN SELECT RAISE(ABORT, '${REALM_SUSPENDED}: this realm is suspended; nothing is written until it resumes'); END`,
          )
          .execute(db);
      }
    }
    return;
  }
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION reelm_realm_hold() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF (SELECT state FROM realm_lifecycle WHERE id = 1) = 'suspended' THEN
           RAISE EXCEPTION '${REALM_SUSPENDED}: this realm is suspended; nothing is written until it resumes' USING ERRCODE = 'RS002';
         END IF;
         RETURN NULL;
       END $$`,
    )
    .execute(db);
  // One check per statement (not per row): the hold costs a lookup of one row per write statement.
  for (const table of names) {
    await sql
      .raw(`CREATE OR REPLACE TRIGGER realm_hold_${table} BEFORE INSERT OR UPDATE OR DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION reelm_realm_hold()`)
      .execute(db);
  }
}
