import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import type { RealmStore } from '../realm/store.ts';
import { flushRealmLog, realmLogPath } from '../residency/realm-log.ts';
import { referencingTables, residentTables } from './person-data.ts';

// Erasure that survives a byte scan of the realm's files (docs/RESIDENCY.md,
// "How long a deleted value may remain"). Deleting a row is not enough:
//  • SQLite: secure_delete (set when every database is opened) zeroes deleted
//    cells and free pages, FTS5 secure-delete drops index tokens (migration
//    0071_rights); the WAL still holds older page images until a checkpoint,
//    so it is checkpointed and truncated here.
//  • PostgreSQL: deleted and updated rows stay as dead tuples until vacuum, and
//    plain VACUUM marks the space free without overwriting it; VACUUM FULL
//    rewrites each affected table and its indexes into new files and unlinks
//    the old ones — repeated while a concurrent snapshot forces it to keep some.
//  • The realm log: the person's request lines (with their address) are removed.

/** Tables a deletion touches: the resident and referencing ones, the outbox, and the search index. */
export function erasedTables(store: RealmStore): string[] {
  const names = new Set([...residentTables(store), ...referencingTables(store)].map((t) => t.name));
  for (const t of ['flow_outbox', 'post_search', 'post_hashtags', 'staff_access_log']) if (store.schema.tables.some((x) => x.name === t)) names.add(t);
  return [...names].sort();
}

/** Purges the realm's leftovers; false when PostgreSQL still had to keep dead row versions (try again later). */
export async function purgeStores(store: RealmStore, userIds: readonly string[]): Promise<boolean> {
  await purgeRealmLog(store, userIds);
  if (store.dialect === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
    return true;
  }
  return vacuumFull(store, erasedTables(store));
}

/**
 * VACUUM FULL keeps row versions that a snapshot open elsewhere in the database (a
 * transaction, autovacuum's ANALYZE) could still see. VERBOSE reports them; the
 * tables that kept some are vacuumed again after a pause, a few times.
 */
async function vacuumFull(store: RealmStore, tables: readonly string[], attempts = 5): Promise<boolean> {
  if (store.manifest.database.kind !== 'postgres') return true;
  const client = new pg.Client({ connectionString: store.manifest.database.url });
  await client.connect();
  try {
    let todo = [...tables];
    for (let i = 0; i < attempts && todo.length; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200 * i));
      const kept: string[] = [];
      for (const t of todo) {
        let blocked = false;
        const onNotice = (n: { message?: string; detail?: string }) => {
          const m = /(\d+) dead row versions cannot be removed yet/.exec(`${n.message ?? ''} ${n.detail ?? ''}`);
          if (m && Number(m[1]) > 0) blocked = true;
        };
        client.on('notice', onNotice);
        await client.query(`VACUUM (FULL, VERBOSE) "${t.replace(/"/g, '""')}"`);
        client.off('notice', onNotice);
        if (blocked) kept.push(t);
      }
      todo = kept;
    }
    return todo.length === 0;
  } finally {
    await client.end();
  }
}

/** Rewrites the realm log without the lines of these people (a new file replaces the old one). */
export async function purgeRealmLog(store: RealmStore, userIds: readonly string[]): Promise<number> {
  await flushRealmLog(store.manifest);
  const path = realmLogPath(store.manifest);
  if (!existsSync(path) || userIds.length === 0) return 0;
  const lines = readFileSync(path, 'utf8').split('\n');
  const kept = lines.filter((l) => !userIds.some((id) => l.includes(id)));
  if (kept.length === lines.length) return 0;
  const tmp = `${path}.purge`;
  writeFileSync(tmp, kept.join('\n'));
  renameSync(tmp, path);
  return lines.length - kept.length;
}
