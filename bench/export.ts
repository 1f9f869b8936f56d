import { performance } from 'node:perf_hooks';
import { requestExport } from '../src/rights/exports.ts';
import { startReelm } from '../test/helpers/lanes.ts';
import { realmWorker } from '../test/rights/full-person.ts';
import { ACTIVITY, loadAverage, lanesToRun, makeBenchPerson, MEDIA_KB, plainCopy, POSTS } from './rights-person.ts';

// "Download your data" build time (issue 12): the export job (enumerate every resident table, write the
// JSON documents, stream every file into the tar with its SHA-256, store the archive in the realm's blob
// store) for a person with BENCH_POSTS posts (each with a BENCH_MEDIA_KB original) and BENCH_ACTIVITY
// watch events, against a plain copy of the same rows and files into one object of the same store, in the same run.
// Run: node bench/export.ts   (PostgreSQL + S3 too when REELM_TEST_PG_URL / REELM_TEST_BLOBS=s3 are set)

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

for (const lane of lanesToRun()) {
  const r = await startReelm(lane);
  try {
    const person = await makeBenchPerson(r);
    const store = r.reelm.realms.get(person.realm);
    const worker = realmWorker(r, person.realm);
    const exports: number[] = [];
    const copies: number[] = [];
    let copied = { rows: 0, files: 0, bytes: 0 };
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await requestExport(store, person.userId);
      await worker.drain();
      exports.push((performance.now() - t0) / 1000);
      const c = await plainCopy(store, store, person.userId, { oneObject: true });
      copies.push(c.seconds);
      copied = c;
    }
    const size = await store.db.selectFrom('data_exports').select(['size_bytes', 'state']).where('user_id', '=', person.userId).execute();
    if (size.some((s) => s.state !== 'ready')) throw new Error(`an export did not finish: ${JSON.stringify(size)}`);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const e = median(exports);
    const c = median(copies);
    console.log(`export [${lane}] — ${POSTS} posts (${MEDIA_KB} KB originals), ${ACTIVITY} watch events; ${await loadAverage()}`);
    console.log(
      `  rows ${copied.rows}, files ${copied.files}, ${(copied.bytes / 1048576).toFixed(1)} MB; archive ${(Number(size[0]!.size_bytes) / 1048576).toFixed(1)} MB`,
    );
    console.log(`  export job (median of ${RUNS})     ${e.toFixed(2)} s`);
    console.log(`  plain copy, same bytes, 1 object ${c.toFixed(2)} s    ratio ${(e / c).toFixed(2)}×`);
  } finally {
    await r.close();
  }
}
