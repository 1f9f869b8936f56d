import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api } from '../social/helpers.ts';
import { collectPersonData } from '../../src/rights/person-data.ts';
import { page, world } from './helpers.ts';

// Cold start: topics picked after sign-up (GET/PUT /api/v1/feed/interests) seed the first For You pages.
for (const lane of lanes()) {
  describe(`For You cold start [${lane}]`, () => {
    it('lists the topics; a picked topic ranks its videos higher on the first page than for a person without it', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creators = [await signUp(r), await signUp(r), await signUp(r)];
      // eight topics' worth of videos: a person without interests gets about one in eight #chess by chance
      await world(r, creators, ['chess', 'surf', 'food', 'art', 'cars', 'books', 'dance', 'music'], 2);
      const list = await api(r).get('/api/v1/feed/interests');
      assert.equal(list.statusCode, 200, list.body);
      const chess = list.json().topics.find((x: { id: string }) => x.id === 'chess');
      assert.deepEqual(chess, { id: 'chess', name: 'Chess', hashtags: ['chess'] });
      assert.deepEqual(list.json().selected, []);

      const picker = await signUp(r, { country: 'US' });
      const other = await signUp(r, { country: 'US' });
      const put = await api(r).put('/api/v1/feed/interests', picker, { interests: ['chess'] });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json(), { selected: ['chess'] });
      assert.deepEqual((await api(r).get('/api/v1/feed/interests', picker)).json().selected, ['chess']);

      // Mean position of #chess in each person's first page and whole list (seen filter lifted).
      const chessAt = async (who: typeof picker, limit: number) => {
        const p = await page(r, who, null, limit, '&includeSeen=true');
        const at = p.items.flatMap((i, k) => (i.hashtags.includes('chess') ? [k] : []));
        return { count: at.length, mean: at.reduce((a, b) => a + b, 0) / Math.max(1, at.length), first: p.items[0]! };
      };
      const mine = await chessAt(picker, 12);
      const theirs = await chessAt(other, 12);
      assert.ok(mine.count > theirs.count, `#chess on the first page: ${mine.count} vs ${theirs.count}`);
      assert.ok(mine.count >= 6, `${mine.count} #chess videos on the picker's first page`);
      assert.equal(mine.first.why.sentence, 'Because you are interested in #chess');
      const all = [await chessAt(picker, 48), await chessAt(other, 48)];
      assert.ok(all[0]!.mean < all[1]!.mean, `mean #chess position ${all[0]!.mean} vs ${all[1]!.mean}`);

      // Stored resident in the home realm, and part of the person's data (export, erasure, moves).
      const data = await collectPersonData(r.reelm.realms.get(picker.realm), picker.userId);
      assert.equal(data.records.feed_interests?.length, 1);
      assert.equal(data.records.feed_interests![0]!.topics, 'chess');
      assert.equal(data.records.feed_interests![0]!.tags, 'chess');
      for (const name of r.reelm.realms.names())
        if (name !== picker.realm)
          assert.equal(
            await r.reelm.realms.get(name).db.selectFrom('feed_interests').where('user_id', '=', picker.userId).select('user_id').executeTakeFirst(),
            undefined,
          );

      // [] clears the picks.
      const cleared = await api(r).put('/api/v1/feed/interests', picker, { interests: [] });
      assert.deepEqual(cleared.json(), { selected: [] });
    });

    it('an unknown topic is a 400 with a code; signed out cannot pick', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const viewer = await signUp(r);
      const bad = await api(r).put('/api/v1/feed/interests', viewer, { interests: ['chess', 'no-such-topic'] });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(bad.json().error.code, 'unknown_topic');
      assert.deepEqual((await api(r).get('/api/v1/feed/interests', viewer)).json().selected, [], 'nothing stored');
      const tooMany = await api(r).put('/api/v1/feed/interests', viewer, { interests: Array(9).fill('chess') });
      assert.equal(tooMany.statusCode, 400);
      const anon = await api(r).put('/api/v1/feed/interests', undefined, { interests: ['chess'] });
      assert.equal(anon.statusCode, 401);
    });
  });
}
