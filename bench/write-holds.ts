import { performance } from 'node:perf_hooks';
import { dialectOf } from '../src/realm/database.ts';
import type { RealmStore } from '../src/realm/store.ts';
import { startReelm } from '../test/helpers/lanes.ts';
import { signUp } from '../test/helpers/users.ts';
import { watchRow } from './lib.ts';
import { lanesToRun, loadAverage } from './rights-person.ts';

// What erasure and the holds cost on every write (docs/RESIDENCY.md): a resident table carries per-row
// triggers (the move's person hold, the realm suspension hold, the residency guard where it is a
// trigger), and SQLite runs with secure_delete on (deleted cells and freed pages zeroed). BENCH_ROWS
// watch events (500 per transaction) are inserted and then deleted, in the realm's own watch_events
// table and in a copy of it with the same columns and indexes but no triggers, in the same run; on
// SQLite the copy's delete is also timed with secure_delete off.
// Run: node bench/write-holds.ts   (PostgreSQL too when REELM_TEST_PG_URL is set)

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BATCH = 500;

async function copyWithoutTriggers(store: RealmStore) {
  if (dialectOf(store.db) === 'postgres') {
    await store.raw('CREATE TABLE bench_plain (LIKE watch_events INCLUDING ALL)');
    return;
  }
  const ddl = await store.raw<{ sql: string }>(
    "SELECT sql FROM sqlite_master WHERE tbl_name = 'watch_events' AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC",
  );
  for (const { sql } of ddl.rows) await store.raw(sql.replace(/\bwatch_events\b/g, 'bench_plain').replace(/(INDEX\s+"?)(\w+)/i, '$1bench_$2'));
}

function rows(userId: string, run: number) {
  return Array.from({ length: ROWS }, (_, i) => watchRow(userId, `bench-${run}-${i}`, `v${i % 100}`, 'us'));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

async function insertAll(store: RealmStore, table: string, list: Record<string, unknown>[]) {
  for (let i = 0; i < list.length; i += BATCH) {
    await store.db.transaction().execute((trx) =>
      (trx as any)
        .insertInto(table)
        .values(list.slice(i, i + BATCH))
        .execute(),
    );
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const lane of lanesToRun()) {
  const r = await startReelm(lane);
  try {
    const p = await signUp(r, { country: 'US' });
    const store = r.reelm.realms.get(p.realm);
    await copyWithoutTriggers(store);
    const sqlite = dialectOf(store.db) === 'sqlite';
    const t = { insHeld: [] as number[], insPlain: [] as number[], delHeld: [] as number[], delPlain: [] as number[], delPlainNoSecure: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      const list = rows(p.userId, run);
      t.insHeld.push(await timed(() => insertAll(store, 'watch_events', list)));
      t.insPlain.push(await timed(() => insertAll(store, 'bench_plain', list)));
      t.delHeld.push(await timed(() => store.db.deleteFrom('watch_events').where('user_id', '=', p.userId).execute()));
      t.delPlain.push(await timed(() => (store.db as any).deleteFrom('bench_plain').where('user_id', '=', p.userId).execute()));
      if (sqlite) {
        await insertAll(store, 'bench_plain', list);
        await store.raw('PRAGMA secure_delete = OFF');
        t.delPlainNoSecure.push(await timed(() => (store.db as any).deleteFrom('bench_plain').where('user_id', '=', p.userId).execute()));
        await store.raw('PRAGMA secure_delete = ON');
      }
    }
    const rate = (s: number) => `${(ROWS / s).toFixed(0).padStart(7)} rows/s`;
    console.log(`write holds [${lane}] — ${ROWS} watch events, ${BATCH} per transaction, median of ${RUNS}; ${await loadAverage()}`);
    const ih = median(t.insHeld);
    const ip = median(t.insPlain);
    const dh = median(t.delHeld);
    const dp = median(t.delPlain);
    console.log(`  insert, with the triggers     ${rate(ih)}   without ${rate(ip)}   with/without ${(ip / ih).toFixed(2)}×`);
    console.log(`  delete, with the triggers     ${rate(dh)}   without ${rate(dp)}   with/without ${(dp / dh).toFixed(2)}×`);
    if (sqlite) {
      const dn = median(t.delPlainNoSecure);
      console.log(`  delete, secure_delete on      ${rate(dp)}   off     ${rate(dn)}   on/off ${(dn / dp).toFixed(2)}×`);
    }
  } finally {
    await r.close();
  }
}
