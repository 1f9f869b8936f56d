import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, postVideo } from './helpers.ts';

// Blocking cuts the follow edges both ways (across realms, by flows), rules
// out a new follow, and closes the media paths: GET /videos/:id, GET
// /sounds/:id and links signed before the block answer like missing ones.

for (const lane of lanes()) {
  describe(`blocks cut follows and close every path [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());
    const handles = (page: { items: { handle: string }[] }) => page.items.map((i) => i.handle);

    for (const [name, blockedCountry] of [
      ['across realms', 'US'],
      ['in one realm', 'DE'],
    ] as const) {
      test(`follow edges go both ways and cannot be re-made (${name})`, async () => {
        const a = api(t);
        const blocker = await signUp(t, { country: 'DE' });
        const blocked = await signUp(t, { country: blockedCountry });
        const followEach = async (who: TestUser, whom: TestUser) => assert.equal((await a.post(`/api/v1/users/${whom.handle}/follow`, who)).statusCode, 200);
        await followEach(blocker, blocked);
        await followEach(blocked, blocker);
        await deliver(t);
        assert.deepEqual(handles((await a.get(`/api/v1/users/${blocker.handle}/followers`)).json()), [blocked.handle]);

        assert.equal((await a.put(`/api/v1/blocks/${blocked.handle}`, blocker)).statusCode, 200);
        await deliver(t);
        for (const u of [blocker, blocked]) {
          assert.deepEqual(handles((await a.get(`/api/v1/users/${u.handle}/followers`)).json()), [], `${u.handle} followers`);
          assert.deepEqual(handles((await a.get(`/api/v1/users/${u.handle}/following`)).json()), [], `${u.handle} following`);
        }
        const re = await a.post(`/api/v1/users/${blocker.handle}/follow`, blocked);
        assert.equal(re.statusCode, 403, re.body);
        assert.equal(re.json().error.code, 'cannot_follow');
        assert.equal((await a.post(`/api/v1/users/${blocked.handle}/follow`, blocker)).statusCode, 403);
        await deliver(t);
        assert.deepEqual(handles((await a.get(`/api/v1/users/${blocker.handle}/followers`)).json()), []);
      });
    }

    test('a follow sent before the block arrived is undone', async () => {
      const a = api(t);
      const blocker = await signUp(t, { country: 'DE' });
      const blocked = await signUp(t, { country: 'US' });
      assert.equal((await a.put(`/api/v1/blocks/${blocked.handle}`, blocker)).statusCode, 200);
      // not yet delivered: the blocked person's realm does not know yet
      assert.equal((await a.post(`/api/v1/users/${blocker.handle}/follow`, blocked)).statusCode, 200);
      await deliver(t);
      await deliver(t);
      assert.deepEqual(handles((await a.get(`/api/v1/users/${blocker.handle}/followers`)).json()), []);
      assert.deepEqual(handles((await a.get(`/api/v1/users/${blocked.handle}/following`)).json()), []);
    });

    test('GET /videos/:id, GET /sounds/:id and signed media links stop answering for the blocked party', async () => {
      const a = api(t);
      const creator = await signUp(t, { country: 'DE' });
      const viewer = await signUp(t, { country: 'US' });
      const pub = await postVideo(t, creator, { audience: 'public' }, { soundTitle: 'Bye' });
      const priv = await postVideo(t, creator, { audience: 'followers' });
      await deliver(t);
      // a grant bound to the viewer, signed before the block (the viewer follows, sees the followers-only post)
      assert.equal((await a.post(`/api/v1/users/${creator.handle}/follow`, viewer)).statusCode, 200);
      await deliver(t);
      const post = await a.get(`/api/v1/posts/${priv.post.id}`, viewer);
      assert.equal(post.statusCode, 200, post.body);
      const signed = JSON.stringify(post.json()).match(/\/media\/eu\/[^"]+\?[^"]+/)?.[0];
      assert.ok(signed, 'a signed link');
      assert.equal((await a.get(signed!, viewer)).statusCode, 200);
      assert.equal((await a.get(`/api/v1/videos/${pub.videoId}`, viewer)).statusCode, 200);
      assert.equal((await a.get(`/api/v1/sounds/${pub.soundId}`, viewer)).statusCode, 200);

      assert.equal((await a.put(`/api/v1/blocks/${viewer.handle}`, creator)).statusCode, 200);
      await deliver(t);
      const missing = await a.get(`/api/v1/videos/nosuchvideo0000`, viewer);
      for (const url of [`/api/v1/videos/${pub.videoId}`, `/api/v1/sounds/${pub.soundId}`]) {
        const res = await a.get(url, viewer);
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.json().error.code, missing.json().error.code);
      }
      assert.equal((await a.get(signed!, viewer)).statusCode, 404, 'the old signed link');
      // the blocker still sees their own
      assert.equal((await a.get(`/api/v1/videos/${pub.videoId}`, creator)).statusCode, 200);
    });
  });
}
