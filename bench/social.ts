import { performance } from 'node:perf_hooks';
import { newId } from '../src/lib/ids.ts';
import { followingFeed } from '../src/social/feed.ts';
import { searchAccounts, searchVideos } from '../src/social/search.ts';
import { recordWatchEvents } from '../src/social/watch.ts';
import { startReelm, type Lane } from '../test/helpers/lanes.ts';
import { signUp } from '../test/helpers/users.ts';
import { deliver, follow, postVideo } from '../test/social/helpers.ts';
import { watchBatch, watchRow } from './lib.ts';

// Social layer figures, in process, each against a bare baseline on the same
// store in the same run:
//  • watch-event ingest (idempotent insert + per-video counts flow) vs a plain
//    multi-row INSERT of the same rows;
//  • a Following-feed page (visibility + blocks + keyset) vs a bare
//    "newest 21 rows of post_index";
//  • full-text video search and typo-tolerant account search, per query.
// Run: node bench/social.ts   (PostgreSQL too when REELM_TEST_PG_URL is set)

const POSTS = Number(process.env.BENCH_POSTS ?? 600);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const lanes: Lane[] = process.env.REELM_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (performance.now() - t0) / n;
}

for (const lane of lanes) {
  const r = await startReelm(lane);
  try {
    const viewer = await signUp(r, { country: 'US' });
    const creators: Awaited<ReturnType<typeof signUp>>[] = [];
    for (let i = 0; i < 30; i++) creators.push(await signUp(r, { country: ['DE', 'US', 'IN'][i % 3] }));
    for (const c of creators.slice(0, 20)) await follow(r, viewer, c);
    const videos: string[] = [];
    for (let i = 0; i < POSTS; i++) {
      const c = creators[i % creators.length]!;
      videos.push(
        (await postVideo(r, c, { caption: `clip ${i} of the skate session number${i % 50} #tag${i % 20}`, audience: i % 7 === 0 ? 'followers' : 'public' }))
          .videoId,
      );
    }
    await deliver(r);
    const viewerObj = { userId: viewer.userId, realm: viewer.realm, handle: viewer.handle, sessionId: '' };

    // watch ingest
    const batches = Math.ceil(EVENTS / 500);
    const ingest = await time(batches, (b) => recordWatchEvents(r.reelm, viewerObj, watchBatch(`b-${lane}`, b, 500, videos)));
    const store = r.reelm.realms.get(viewer.realm);
    const base = await time(batches, (b) =>
      store.db
        .insertInto('watch_events')
        .values(
          Array.from({ length: 500 }, (_, k) => ({
            ...watchRow(viewer.userId, `raw-${b}-${k}-${newId()}`, videos[k % videos.length]!, 'eu'),
            report_state: 0,
          })),
        )
        .execute(),
    );
    const retry = await time(batches, (b) => recordWatchEvents(r.reelm, viewerObj, watchBatch(`b-${lane}`, b, 500, videos)));

    // feed page
    const feed = await time(200, () => followingFeed(r.reelm, viewerObj, undefined, 20));
    const bare = await time(200, () => store.db.selectFrom('post_index').selectAll().orderBy('created_at', 'desc').limit(21).execute());
    const search = await time(200, (i) => searchVideos(r.reelm, viewerObj, `session number${i % 50}`, 20));
    const typo = await time(50, () => searchAccounts(r.reelm, viewerObj, creators[3]!.handle.slice(0, -1) + 'z', 20));

    console.log(`social [${lane}] — ${POSTS} posts in 3 realms, viewer follows 20 of 30 creators`);
    console.log(
      `  watch ingest (500/batch)          ${((500 / ingest) * 1000).toFixed(0).padStart(7)} events/s   raw INSERT ${((500 / base) * 1000).toFixed(0)} events/s   ratio ${(base / ingest).toFixed(2)}×`,
    );
    console.log(`  watch retry (all duplicates)      ${((500 / retry) * 1000).toFixed(0).padStart(7)} events/s`);
    console.log(
      `  following feed page (20)          ${feed.toFixed(2).padStart(7)} ms        bare newest-21 ${bare.toFixed(2)} ms   ratio ${(bare / feed).toFixed(2)}×`,
    );
    console.log(`  video full-text search            ${search.toFixed(2).padStart(7)} ms/query`);
    console.log(`  account search with a typo (3 realms) ${typo.toFixed(2).padStart(7)} ms/query`);
  } finally {
    await r.close();
  }
}
