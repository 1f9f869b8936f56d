import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, follow, postVideo } from './helpers.ts';

// A changed display name reaches the person's posts (single post, profile
// grid, Following feed) and comment copies, in their own realm and in others,
// through the profile.snapshot flow.

for (const lane of lanes()) {
  describe(`a changed display name reaches posts, comments and feeds [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test('own realm and other realms', async () => {
      const a = api(t);
      const ann = await signUp(t, { country: 'DE', displayName: 'Ann Old' });
      const euFan = await signUp(t, { country: 'FR' });
      const usFan = await signUp(t, { country: 'US' });
      const usCreator = await signUp(t, { country: 'US' });
      await follow(t, euFan, ann);
      await follow(t, usFan, ann);
      const own = await postVideo(t, ann, { caption: 'mine' });
      const theirs = await postVideo(t, usCreator, { caption: 'a US video' });
      await deliver(t);
      for (const [vid, realmFan] of [
        [own.videoId, euFan],
        [theirs.videoId, usFan],
      ] as const) {
        const c = await a.post(`/api/v1/posts/${vid}/comments`, ann, { body: `hello ${realmFan.handle}` });
        assert.equal(c.statusCode, 201, c.body);
      }
      await deliver(t);

      const patch = await a.patch('/api/v1/me/profile', ann, { displayName: 'Ann New' });
      assert.equal(patch.statusCode, 200, patch.body);
      await deliver(t);

      for (const viewer of [euFan, usFan]) {
        const post = (await a.get(`/api/v1/posts/${own.videoId}`, viewer)).json();
        assert.equal(post.author.displayName, 'Ann New', `post, seen from ${viewer.realm}`);
        const feed = (await a.get('/api/v1/feed/following', viewer)).json();
        assert.equal(feed.items.find((i: any) => i.id === own.videoId)?.author.displayName, 'Ann New', `feed, ${viewer.realm}`);
        const grid = (await a.get(`/api/v1/users/${ann.handle}/videos`, viewer)).json();
        assert.equal(grid.items[0]?.author.displayName, 'Ann New', `grid, ${viewer.realm}`);
      }
      for (const vid of [own.videoId, theirs.videoId]) {
        const list = (await a.get(`/api/v1/posts/${vid}/comments`, usFan)).json();
        const mine = list.items.filter((c: any) => c.author.id === ann.userId);
        assert.equal(mine.length, 1, JSON.stringify(list));
        assert.equal(mine[0].author.displayName, 'Ann New', `comment on ${vid}`);
      }
    });
  });
}
