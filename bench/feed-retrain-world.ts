import { loadConfig, openReelm } from '../src/composition.ts';
import { localStats, personContexts, postRows, videoFeatures } from '../src/feed/features.ts';
import { OnlineRanker } from '../src/feed/model/ranker.ts';

// Re-trains each realm's model of a seeded world from its stored watch events, in time order, and
// stores it as the only snapshot — for a world seeded before the ranker's snapshot format changed.
//   W=/tmp/w REALMS=us node --max-old-space-size=6000 bench/feed-retrain-world.ts
const config = loadConfig({ ...process.env, REELM_DATA_DIR: process.env.W!, REELM_LOG_LEVEL: 'error', REELM_WORKERS: '0' });
const reelm = await openReelm(config);
for (const name of (process.env.REALMS ?? reelm.realms.names().join(',')).split(',')) {
  const db = reelm.realms.get(name).db;
  const t0 = performance.now();
  const ev = await db
    .selectFrom('watch_events')
    .select(['user_id', 'video_id', 'completed', 'skipped', 'watched_ms', 'duration_ms', 'played_at'])
    .orderBy('played_at')
    .execute();
  const vids = [...new Set(ev.map((e) => e.video_id))];
  const posts = await postRows(db, vids);
  const stats = await localStats(db, vids);
  const people = await personContexts(db, [...new Set(ev.map((e) => e.user_id))]);
  const m = new OnlineRanker({ seed: 10 });
  for (const e of ev) {
    const p = posts.get(e.video_id);
    if (!p) continue;
    const done = Number(e.completed) === 1;
    m.observe(
      people.get(e.user_id)!,
      videoFeatures(p, stats.get(e.video_id), Number(e.played_at)),
      {
        completed: done,
        liked: false,
        shared: false,
        skippedEarly: Number(e.skipped) === 1,
        watchedFraction: Math.min(1, Number(e.watched_ms) / Math.max(1, Number(e.duration_ms))),
      },
      Number(e.played_at),
    );
  }
  console.log('expired', m.expire(Date.now()));
  const bytes = m.serialize();
  await db.deleteFrom('feed_models').execute();
  await db
    .insertInto('feed_models')
    .values({ version: 1, snapshot: Buffer.from(bytes).toString('base64'), created_at: Date.now() })
    .execute();
  console.log(name, ev.length, 'events', (bytes.length / 1e6).toFixed(1), 'MB', ((performance.now() - t0) / 1000).toFixed(1), 's');
}
await reelm.close();
