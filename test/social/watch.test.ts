import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { flushViewRollups, VIEWS_WINDOW_MS } from '../../src/social/view-rollup.ts';
import { api, deliver, postVideo } from './helpers.ts';

/** What the social worker does every few seconds, as if the rollup window had passed. */
async function rollUp(r: TestReelm) {
  for (const store of r.reelm.realms.all()) await flushViewRollups(store, Date.now() + VIEWS_WINDOW_MS);
}

const event = (id: string, videoId: string, over: Record<string, unknown> = {}) => ({
  clientEventId: id,
  videoId,
  watchedMs: 6000,
  durationMs: 9000,
  completed: false,
  replays: 0,
  playedAt: new Date().toISOString(),
  ...over,
});

for (const lane of lanes()) {
  describe(`watch events [${lane}]`, () => {
    it('a batch sent twice counts once; events stay in the viewer’s realm; the video’s realm gets counts only', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const viewer = await signUp(r, { country: 'US' });
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      const a = api(r);
      const batch = {
        events: [
          event('play-0001', videoId, { watchedMs: 9000, completed: true, replays: 2 }),
          event('play-0002', videoId, { watchedMs: 1200 }),
          event('play-0003', videoId),
          event('play-0004', '06h1bpwe7sxkqzmc7ps4rnjef0'),
        ],
      };
      const first = (await a.post('/api/v1/watch-events', viewer, batch)).json();
      assert.deepEqual(first, { received: 4, stored: 3, duplicates: 0, unknownVideos: 1 });
      const retry = (await a.post('/api/v1/watch-events', viewer, batch)).json();
      assert.deepEqual(retry, { received: 4, stored: 0, duplicates: 3, unknownVideos: 1 });
      await rollUp(r);
      await deliver(r);
      const eu = r.reelm.realms.get('eu').db;
      const counts = await eu
        .selectFrom('posts')
        .select(['view_count', 'completion_count', 'watch_ms'])
        .where('video_id', '=', videoId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        { views: Number(counts.view_count), done: Number(counts.completion_count), ms: Number(counts.watch_ms) },
        { views: 1, done: 0, ms: 0 },
        'one viewer’s three plays are one view (view-once.ts); their watch time and completions wait for other viewers (crossing.test.ts)',
      );
      assert.equal((await eu.selectFrom('watch_events').selectAll().execute()).length, 0, 'no watch event row in the video’s realm');
      const history = (await a.get('/api/v1/me/watch-history', viewer)).json().items;
      assert.equal(history.length, 3);
      const skip = history.find((h: any) => h.watchedMs === 1200);
      assert.equal(skip.skipped, true, 'under two seconds and not completed is a skip');
      assert.equal(history.find((h: any) => h.replays === 2).completed, true);
      // Bad input is refused whole, nothing stored.
      const bad = await a.post('/api/v1/watch-events', viewer, { events: [event('x', videoId)] });
      assert.equal(bad.statusCode, 400);
      assert.equal((await a.post('/api/v1/watch-events', undefined, batch)).statusCode, 401);
    });

    it('a burst of 10,000 events from many clients is stored completely and counted exactly (one view per person and video)', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creators = [await signUp(r, { country: 'DE' }), await signUp(r, { country: 'US' })];
      const videos = [(await postVideo(r, creators[0]!)).videoId, (await postVideo(r, creators[1]!)).videoId];
      await deliver(r);
      const clients = [];
      for (let i = 0; i < 25; i++) clients.push(await signUp(r, { country: i % 2 ? 'US' : 'FR' }));
      const a = api(r);
      // 25 clients × 4 batches × 100 events, all in flight at once; every 5th batch is also resent.
      const sends: Promise<unknown>[] = [];
      for (const [ci, c] of clients.entries()) {
        for (let b = 0; b < 4; b++) {
          const events = Array.from({ length: 100 }, (_, k) => event(`c${ci}-b${b}-e${k}-xxxx`, videos[k % 2]!, { completed: k % 3 === 0 }));
          sends.push(a.post('/api/v1/watch-events', c, { events }).then((res) => assert.equal(res.statusCode, 200, res.body)));
          if ((ci * 4 + b) % 5 === 0) sends.push(a.post('/api/v1/watch-events', c, { events }).then((res) => assert.equal(res.statusCode, 200, res.body)));
        }
      }
      await Promise.all(sends);
      let stored = 0;
      for (const realm of ['eu', 'us', 'intl']) {
        const n = await r.reelm.realms
          .get(realm)
          .db.selectFrom('watch_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        stored += Number(n.n);
      }
      assert.equal(stored, 10_000);
      await rollUp(r);
      await deliver(r);
      let views = 0;
      for (const [i, v] of videos.entries()) {
        const p = await r.reelm.realms.get(creators[i]!.realm).db.selectFrom('posts').select('view_count').where('video_id', '=', v).executeTakeFirstOrThrow();
        assert.equal(Number(p.view_count), 25, 'each of the 25 clients watched each video: 25 views, however many plays');
        views += Number(p.view_count);
      }
      assert.equal(views, 50);
    });
  });
}
