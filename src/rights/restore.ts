import type { Transaction } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { TableSpec } from '../realm/tables.ts';
import { residentTables, type PersonRow } from './person-data.ts';

// Writing a person's records into a realm, the one path shared by moves (copy into the destination) and
// imports (an archive into a new home): plain inserts through the realm's database, so the residency
// guard checks every row (its owner must be a resident there), users first.

const BATCH = 200;

/** users first: every other resident row must find its owner (the residency guard). */
export function parentsFirst(tables: TableSpec[]): TableSpec[] {
  return [...tables.filter((t) => t.name === 'users'), ...tables.filter((t) => t.name !== 'users')];
}

/** Inserts the records of every resident table not in `skip` (batched); returns the number of rows written. */
export async function insertPersonRecords(
  store: RealmStore,
  trx: Transaction<RealmDatabase>,
  records: Readonly<Record<string, readonly PersonRow[]>>,
  opts: { skip?: ReadonlySet<string>; map?: (table: string, row: PersonRow) => PersonRow } = {},
): Promise<number> {
  const db = trx as unknown as Transaction<any>;
  let rows = 0;
  for (const t of parentsFirst(residentTables(store))) {
    if (opts.skip?.has(t.name)) continue;
    const list = (records[t.name] ?? []).map((r) => (opts.map ? opts.map(t.name, r) : r));
    for (let i = 0; i < list.length; i += BATCH) {
      await db
        .insertInto(t.name)
        .values(list.slice(i, i + BATCH))
        .execute();
      rows += Math.min(BATCH, list.length - i);
    }
  }
  return rows;
}

/** Deletes every row the person owns in a realm (children first) and any hold on them, in one transaction. */
export async function removePersonRecords(store: RealmStore, userId: string) {
  const tables = parentsFirst(residentTables(store)).reverse();
  await store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('held_people').where('user_id', '=', userId).execute();
    for (const t of tables) await (trx as any).deleteFrom(t.name).where(t.ownerColumn!, '=', userId).execute();
  });
}
