import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, postVideo } from './helpers.ts';

// A creator pins up to three posts to the top of their profile; the pin travels
// with the post's projection, so a viewer in another realm sees the same grid:
// pinned first (newest pin first), then the rest newest first, each post once.

for (const lane of lanes()) {
  describe(`pinned posts on a profile [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test('pin → first on the profile in every realm, once; at most three; only the creator; unpin → back in date order', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const viewer = await signUp(t, { country: 'US' });
      const posts: string[] = [];
      for (let i = 0; i < 5; i++) posts.push((await postVideo(t, creator, { caption: `clip ${i}`, audience: 'public' })).videoId);
      await deliver(t);
      const a = api(t);
      const grid = async () => (await a.get(`/api/v1/users/${creator.handle}/videos?limit=3`, viewer)).json();
      const all = async () => {
        const ids: string[] = [];
        let page = await grid();
        for (;;) {
          ids.push(...page.items.map((i: { id: string }) => i.id));
          if (!page.nextCursor) return ids;
          page = (await a.get(`/api/v1/users/${creator.handle}/videos?limit=3&cursor=${page.nextCursor}`, viewer)).json();
        }
      };
      const newestFirst = [...posts].reverse();
      assert.deepEqual(await all(), newestFirst);

      const pinned = await a.put(`/api/v1/posts/${posts[0]}/pin`, creator);
      assert.equal(pinned.statusCode, 200, pinned.body);
      assert.equal(pinned.json().pinned, true);
      assert.equal((await a.put(`/api/v1/posts/${posts[0]}/pin`, viewer)).statusCode, 404, 'only the creator pins their post');
      await deliver(t);
      const first = await grid();
      assert.equal(first.items[0].id, posts[0], 'the pinned post leads the grid seen from another realm');
      assert.equal(first.items[0].pinned, true);
      assert.deepEqual(await all(), [posts[0], ...newestFirst.filter((id) => id !== posts[0])], 'every post once');

      assert.equal((await a.put(`/api/v1/posts/${posts[1]}/pin`, creator)).statusCode, 200);
      assert.equal((await a.put(`/api/v1/posts/${posts[2]}/pin`, creator)).statusCode, 200);
      const fourth = await a.put(`/api/v1/posts/${posts[3]}/pin`, creator);
      assert.equal(fourth.statusCode, 409, fourth.body);
      assert.equal(fourth.json().error.code, 'pin_limit');
      await deliver(t);
      assert.deepEqual(
        (await grid()).items.slice(0, 3).map((i: { id: string }) => i.id),
        [posts[2], posts[1], posts[0]],
        'newest pin first',
      );

      for (const id of posts.slice(0, 3)) assert.equal((await a.del(`/api/v1/posts/${id}/pin`, creator)).json().pinned, false);
      await deliver(t);
      assert.deepEqual(await all(), newestFirst, 'unpinned: back in date order');
    });
  });
}
