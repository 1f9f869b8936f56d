import { performance } from 'node:perf_hooks';
import { movePerson } from '../src/moves/move.ts';
import { requestExport } from '../src/rights/exports.ts';
import { startReelm } from '../test/helpers/lanes.ts';
import { realmWorker } from '../test/rights/full-person.ts';
import { deliver } from '../test/social/helpers.ts';
import { ACTIVITY, loadAverage, lanesToRun, makeBenchPerson, MEDIA_KB, plainCopy, POSTS } from './rights-person.ts';

// Moving a person between realms (issue 12): seconds for the whole move (hold, copy every row and file,
// verify by re-enumerating both sides with SHA-256 of every file, switch, relocate, erase with the store
// purge) of a person with BENCH_POSTS posts (BENCH_MEDIA_KB originals) and BENCH_ACTIVITY watch events,
// against the export of the same person (in their new home, after the move) and a plain copy of the same
// rows and files from the source realm's store to the destination's, in the same run. BENCH_PEOPLE people are moved one after another.
// Run: node bench/move.ts   (PostgreSQL + S3 too when REELM_TEST_PG_URL / REELM_TEST_BLOBS=s3 are set)

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 2);

for (const lane of lanesToRun()) {
  const r = await startReelm(lane);
  try {
    const us = r.reelm.realms.get('us');
    const eu = r.reelm.realms.get('eu');
    const moves: number[] = [];
    const exports: number[] = [];
    const copies: number[] = [];
    let last = { rows: 0, files: 0, bytes: 0 };
    for (let i = 0; i < PEOPLE; i++) {
      const person = await makeBenchPerson(r, 'US');
      const c = await plainCopy(us, eu, person.userId);
      copies.push(c.seconds);
      let t0 = performance.now();
      const report = await movePerson(r.reelm, { person: person.handle, to: 'eu', country: 'DE' });
      moves.push((performance.now() - t0) / 1000);
      if (report.step !== 'done' || report.left.rows + report.left.files !== 0) throw new Error(`move did not finish: ${JSON.stringify(report)}`);
      last = report.copied;
      // the export of the same person, in their new home (after the move, so the move carries no archive)
      t0 = performance.now();
      await requestExport(eu, person.userId);
      await realmWorker(r, 'eu').drain();
      exports.push((performance.now() - t0) / 1000);
      await deliver(r);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const m = sum(moves) / PEOPLE;
    const e = sum(exports) / PEOPLE;
    const c = sum(copies) / PEOPLE;
    console.log(`move [${lane}] — ${PEOPLE} people, each ${POSTS} posts (${MEDIA_KB} KB originals), ${ACTIVITY} watch events; ${await loadAverage()}`);
    console.log(`  copied per person: ${last.rows} rows, ${last.files} files, ${(last.bytes / 1048576).toFixed(1)} MB`);
    console.log(`  move us → eu           ${m.toFixed(2)} s/person   ${(1 / m).toFixed(3)} people/s`);
    console.log(`  export of the person   ${e.toFixed(2)} s          move/export ${(m / e).toFixed(2)}×`);
    console.log(`  plain copy us → eu     ${c.toFixed(2)} s          move/copy ${(m / c).toFixed(2)}×`);
  } finally {
    await r.close();
  }
}
