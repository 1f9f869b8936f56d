import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { deliver, postVideo } from './helpers.ts';

// Requests a schema-driven client sends: optional bodies left empty, ids that
// are not id-shaped. Each answer is a Reelm answer (2xx, or 4xx with a code), never a 500.

const json = { 'content-type': 'application/json' };

for (const lane of lanes()) {
  describe(`request shapes [${lane}]`, () => {
    it('optional bodies accept an empty body (PUT /favorite, POST /shares, POST /me/notifications/read)', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US' });
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      for (const [i, headers] of [fan.headers, { ...fan.headers, ...json }].entries()) {
        const fav = await r.app.inject({ method: 'PUT', url: `/api/v1/posts/${videoId}/favorite`, headers, payload: '' });
        assert.equal(fav.statusCode, 200, fav.body);
        assert.deepEqual(fav.json(), { favorited: true, collectionId: null });
        const share = await r.app.inject({ method: 'POST', url: `/api/v1/posts/${videoId}/shares`, headers, payload: '' });
        // the same person's second share that day is answered, and says it was not counted again
        assert.equal(share.statusCode, i === 0 ? 201 : 200, share.body);
        assert.equal(share.json().counted, i === 0);
        const read = await r.app.inject({ method: 'POST', url: '/api/v1/me/notifications/read', headers, payload: '' });
        assert.equal(read.statusCode, 200, read.body);
      }
      await deliver(r);
      const post = (await r.app.inject({ method: 'GET', url: `/api/v1/posts/${videoId}`, headers: creator.headers })).json();
      assert.equal(post.counts.shares, 1, 'one person’s shares of a video count once a day');
      // Malformed JSON is still refused, with a code.
      const bad = await r.app.inject({ method: 'POST', url: `/api/v1/posts/${videoId}/shares`, headers: { ...fan.headers, ...json }, payload: '{' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'malformed_json');
    });

    it('ids that are not id-shaped are a 4xx with a code: comment parentId `abc20`, comment ids `zzz` and `a%2fb`', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US' });
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      for (const who of [fan, creator]) {
        const c = await r.app.inject({
          method: 'POST',
          url: `/api/v1/posts/${videoId}/comments`,
          headers: who.headers,
          payload: { body: 'hi', parentId: 'abc20' },
        });
        assert.ok(c.statusCode >= 400 && c.statusCode < 500, `${c.statusCode} ${c.body}`);
        assert.equal(typeof c.json().error.code, 'string');
        for (const cid of ['zzz', 'a%2fb']) {
          for (const method of ['PUT', 'DELETE'] as const) {
            const l = await r.app.inject({ method, url: `/api/v1/posts/${videoId}/comments/${cid}/like`, headers: who.headers });
            assert.ok(l.statusCode >= 400 && l.statusCode < 500, `${method} like ${cid}: ${l.statusCode} ${l.body}`);
            assert.equal(typeof l.json().error.code, 'string');
          }
        }
      }
      assert.equal((await r.reelm.realms.get('us').db.selectFrom('comments').selectAll().execute()).length, 0, 'nothing was stored');
      assert.equal((await r.reelm.realms.get('us').db.selectFrom('comment_likes').selectAll().execute()).length, 0);
    });

    it('liking a comment that does not exist is refused, not stored and dropped', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US' });
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      const missing = '01jabcdefghjkmnpqrstvwxyz3';
      const l = await r.app.inject({ method: 'PUT', url: `/api/v1/posts/${videoId}/comments/${missing}/like`, headers: fan.headers });
      assert.equal(l.statusCode, 404, l.body);
      assert.equal((await r.reelm.realms.get('us').db.selectFrom('comment_likes').selectAll().execute()).length, 0);
    });
  });
}
