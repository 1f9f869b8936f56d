import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, follow } from '../social/helpers.ts';
import { page, world } from './helpers.ts';

// For You items and a post's view say whether the viewer follows the creator (the feed's follow chip starts right).

for (const lane of lanes()) {
  describe(`For You viewer state [${lane}]`, () => {
    it('items of a followed creator (another realm too) say following: true, the others false; so does GET /posts/<id>', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const followed = await signUp(r, { country: 'FR' });
      const other = await signUp(r, { country: 'US' });
      await world(r, [followed, other], ['a', 'b'], 2);
      const viewer = await signUp(r, { country: 'US' });
      await follow(r, viewer, followed);
      await deliver(r);
      const items = (await page(r, viewer, null, 8, '&includeSeen=true')).items;
      assert.equal(items.length, 8);
      for (const i of items) assert.equal(i.viewer.following, i.author.id === followed.userId, `item by ${i.author.id}`);
      assert.ok(items.some((i) => i.viewer.following) && items.some((i) => !i.viewer.following), 'both kinds on the page');
      const mine = items.find((i) => i.author.id === followed.userId)!;
      const view = await api(r).get(`/api/v1/posts/${mine.id}`, viewer);
      assert.equal(view.statusCode, 200, view.body);
      assert.equal(view.json().viewer.following, true);
      const theirs = items.find((i) => i.author.id === other.userId)!;
      assert.equal((await api(r).get(`/api/v1/posts/${theirs.id}`, viewer)).json().viewer.following, false);
      // After unfollowing, the next page says so.
      const un = await api(r).del(`/api/v1/users/${followed.handle}/follow`, viewer);
      assert.ok(un.statusCode < 300, un.body);
      await deliver(r);
      const after = (await page(r, viewer, null, 8, '&includeSeen=true')).items;
      assert.ok(after.every((i) => !i.viewer.following));
    });
  });
}
