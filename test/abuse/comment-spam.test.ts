import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, postVideo } from '../social/helpers.ts';

// Comment spam heuristics (src/social/comment-spam.ts): each refusal has its own code, and a
// refused comment is neither stored nor counted.

for (const lane of lanes()) {
  describe(`comment spam heuristics [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane, { config: { limits: { comments: { maxMentions: 3, maxRepeats: 2 } } } });
    });
    after(() => t.close());

    const stored = async (realm: string, userId: string) =>
      (await t.reelm.realms.get(realm).db.selectFrom('comments').select('body').where('author_id', '=', userId).execute()).map((c) => c.body);

    it('links from a new account, repeated text and too many mentions are refused with clear codes; nothing is stored', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const fresh = await signUp(t);
      const { videoId } = await postVideo(t, creator);
      await deliver(t);
      const a = api(t);
      const say = (body: string, who = fresh) => a.post(`/api/v1/posts/${videoId}/comments`, who, { body });
      for (const body of ['get followers at https://spam.example/x', 'visit www.cheap-likes.biz now', 'free coins on freecoins.xyz']) {
        const r = await say(body);
        assert.equal(r.statusCode, 403, body);
        assert.equal(r.json().error.code, 'comment_links_new_account');
      }
      const many = await say('@aa @bb @cc @dd look');
      assert.equal(many.statusCode, 400);
      assert.equal(many.json().error.code, 'comment_too_many_mentions');
      assert.equal((await say('first!')).statusCode, 201);
      assert.equal((await say('  FIRST! ')).statusCode, 201);
      const third = await say('First!');
      assert.equal(third.statusCode, 429);
      assert.equal(third.json().error.code, 'comment_repeated');
      assert.ok(Number(third.headers['retry-after']) > 0);
      assert.equal((await say('something else entirely')).statusCode, 201);
      assert.deepEqual((await stored(fresh.realm, fresh.userId)).sort(), ['  FIRST! '.trim(), 'first!', 'something else entirely'].sort());
      // an account older than the new-account window may post links
      const old = await signUp(t);
      await t.reelm.realms
        .get(old.realm)
        .db.updateTable('users')
        .set({ created_at: Date.now() - 48 * 3600_000 })
        .where('id', '=', old.userId)
        .execute();
      assert.equal((await say('my review: https://example.org/review', old)).statusCode, 201);
      await deliver(t);
      const post = await t.reelm.realms.get('eu').db.selectFrom('posts').select('comment_count').where('video_id', '=', videoId).executeTakeFirstOrThrow();
      assert.equal(Number(post.comment_count), 4);
    });
  });
}
