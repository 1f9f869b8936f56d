import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api } from '../social/helpers.ts';
import { learn, page, watch, world } from './helpers.ts';

for (const lane of lanes()) {
  describe(`For You ranking [${lane}]`, () => {
    it('after watching several #cats videos to the end, #cats ranks higher on the next page; why says so', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creators = [await signUp(r), await signUp(r), await signUp(r)];
      const tagOf = await world(r, creators, ['cats', 'dogs', 'birds'], 4);
      const viewer = await signUp(r, { country: 'US' });
      // Mean position of #cats in the whole ranked list (seen filter lifted), before and after.
      const meanCats = async () => {
        const all = await page(r, viewer, null, 36, '&includeSeen=true');
        const at = all.items.flatMap((i, k) => (i.hashtags.includes('cats') ? [k] : []));
        return { mean: at.reduce((a, b) => a + b, 0) / at.length, top: all.items.slice(0, 5).map((i) => i.hashtags[0]) };
      };
      const before = await meanCats();
      const first = await page(r, viewer, null, 6, '&includeSeen=true');
      const cats = [...tagOf].filter(([, tag]) => tag === 'cats').map(([id]) => id);
      await watch(r, viewer, cats.slice(0, 4));
      assert.equal(await learn(r), 4);
      const next = await page(r, viewer, first.nextCursor, 6, '&includeSeen=true');
      assert.ok(next.modelVersion > first.modelVersion, 'the watches trained the model');
      const after = await meanCats();
      assert.ok(after.mean < before.mean, `mean #cats position ${before.mean} → ${after.mean}`);
      assert.deepEqual(after.top, ['cats', 'cats', 'cats', 'cats', 'cats']);
      assert.ok(next.items[0]!.hashtags.includes('cats'), 'the next page starts with #cats');
      const top = next.items[0]!;
      assert.equal(top.why.sentence, 'Because you watched #cats to the end');
      const why = await api(r).get(`/api/v1/feed/why/${top.id}`, viewer);
      assert.equal(why.statusCode, 200);
      assert.equal(why.json().sentence, 'Because you watched #cats to the end');
      // Re-ranking: never two of one creator in a row.
      for (const p of [first, next]) for (let i = 1; i < p.items.length; i++) assert.notEqual(p.items[i]!.author.id, p.items[i - 1]!.author.id);
      // Items carry what a client needs to start playback.
      assert.match(top.playUrl!, /\/media\//);
      assert.match(top.hlsUrl!, /hls\/master\.m3u8$/);
      assert.deepEqual(top.viewer, { liked: false, favorited: false, following: false });
    });

    it('“not interested” in a creator: none of theirs on the next pages; bad feedback is a 400', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creators = [await signUp(r), await signUp(r), await signUp(r)];
      await world(r, creators, ['a', 'b'], 4);
      const viewer = await signUp(r);
      const first = await page(r, viewer);
      const gone = first.items[0]!.author.id;
      const fb = await api(r).post('/api/v1/feed/feedback', viewer, { kind: 'creator', id: gone });
      assert.equal(fb.statusCode, 201, fb.body);
      let cursor = first.nextCursor;
      let seen = 0;
      for (let i = 0; i < 3 && cursor; i++) {
        const p = await page(r, viewer, cursor);
        seen += p.items.length;
        assert.ok(!p.items.some((x) => x.author.id === gone), 'a not-interested creator came back');
        cursor = p.nextCursor;
      }
      assert.ok(seen >= 6, 'the other creators still fill pages');
      const bad = await api(r).post('/api/v1/feed/feedback', viewer, { kind: 'planet', id: gone });
      assert.equal(bad.statusCode, 400);
      assert.ok(bad.json().error.code);
      const badCursor = await api(r).get('/api/v1/feed/for-you?cursor=nonsense', viewer);
      assert.equal(badCursor.statusCode, 400);
      assert.equal(badCursor.json().error.code, 'invalid_cursor');
    });

    it('cold start: interests seed the first page; signed out gets trending', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creators = [await signUp(r), await signUp(r)];
      await world(r, creators, ['chess', 'surf', 'food', 'art'], 3);
      const viewer = await signUp(r);
      const put = await api(r).put('/api/v1/me/interests', viewer, { interests: ['#Chess'] });
      assert.deepEqual(put.json(), { interests: ['chess'] });
      const p = await page(r, viewer);
      assert.ok(p.items.filter((i) => i.hashtags.includes('chess')).length >= 3, 'interest fills the first page');
      assert.equal(p.items[0]!.why.sentence, 'Because you are interested in #chess');
      const anon = await page(r, undefined, null, 6, '&country=US');
      assert.equal(anon.items.length, 6);
      const anon2 = await page(r, undefined, anon.nextCursor, 6, '&country=US');
      assert.ok(!anon2.items.some((i) => anon.items.some((j) => j.id === i.id)), 'anonymous pages do not repeat');
    });
    it('a safety label down-ranks a video by the configured factor', async (t) => {
      const r = await startReelm(lane, { config: { feed: { safetyFactor: 0.01 } } });
      t.after(() => r.close());
      // one video per creator, so the no-same-creator-in-a-row rule can always place the labelled one
      const creators = [];
      for (let i = 0; i < 6; i++) creators.push(await signUp(r));
      await world(r, creators, ['p'], 1);
      const viewer = await signUp(r);
      const before = await page(r, viewer, null, 6, '&includeSeen=true');
      const top = before.items[0]!.id;
      await r.reelm.realms.get(viewer.realm).db.insertInto('feed_safety_labels').values({ video_id: top, label: 'graphic', created_at: Date.now() }).execute();
      const after = await page(r, viewer, null, 6, '&includeSeen=true');
      const at = after.items.findIndex((i) => i.id === top);
      assert.equal(after.items.length, 6);
      assert.ok(at >= after.items.length - 2, `labelled video at ${at} of ${after.items.length}: ${JSON.stringify(after.items.map((i) => i.author.id))}`);
    });
  });
}
