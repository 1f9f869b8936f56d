import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, postVideo } from './helpers.ts';

// A 2xx for a comment means it will be seen: what can be checked is checked
// before answering; what the video's realm decides later comes back as a
// state on the author's comment (pending → published | rejected + reason).

const MISSING = '01jabcdefghjkmnpqrstvwxyz3';

async function commentsOf(r: TestReelm, videoId: string, who: TestUser, parentId?: string) {
  const res = await api(r).get(`/api/v1/posts/${videoId}/comments${parentId ? `?parentId=${parentId}` : ''}`, who);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items as { id: string; parentId: string | null; state: string; rejection: { code: string } | null }[];
}

for (const lane of lanes()) {
  describe(`comment outcomes [${lane}]`, () => {
    it('a parentId that does not exist is refused at acceptance (same realm and across realms), nothing stored', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const local = await signUp(r, { country: 'FR' });
      const far = await signUp(r, { country: 'US' });
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      for (const who of [local, far, creator]) {
        const res = await api(r).post(`/api/v1/posts/${videoId}/comments`, who, { body: 'reply to nothing', parentId: MISSING });
        assert.equal(res.statusCode, 404, res.body);
        assert.equal(res.json().error.code, 'parent_not_found');
      }
      await deliver(r);
      for (const realm of ['eu', 'us']) {
        assert.equal((await r.reelm.realms.get(realm).db.selectFrom('comments').selectAll().execute()).length, 0, realm);
        assert.equal((await r.reelm.realms.get(realm).db.selectFrom('flow_outbox').selectAll().where('flow', '=', 'social.comment').execute()).length, 0);
      }
    });

    it('a reply to a reply joins the thread and stays (across realms); the author’s copy learns its thread', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US' });
      const other = await signUp(r, { country: 'BR' });
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      const a = api(r);
      const top = (await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: 'top' })).json();
      assert.equal(top.state, 'pending');
      await deliver(r);
      const reply = (await a.post(`/api/v1/posts/${videoId}/comments`, creator, { body: 'reply', parentId: top.id })).json();
      assert.equal(reply.state, 'published', 'same realm as the video: decided in the same response');
      const nested = await a.post(`/api/v1/posts/${videoId}/comments`, other, { body: 'reply to the reply', parentId: reply.id });
      assert.equal(nested.statusCode, 201, nested.body);
      await deliver(r);
      const thread = await commentsOf(r, videoId, creator, top.id);
      assert.deepEqual(thread.map((c) => c.id).sort(), [reply.id, nested.json().id].sort());
      const mine = (await a.get(`/api/v1/comments/${nested.json().id}`, other)).json();
      assert.equal(mine.state, 'published');
      assert.equal(mine.parentId, top.id);
      assert.equal((await a.get(`/api/v1/comments/${top.id}`, fan)).json().state, 'published');
    });

    it('a reply to one’s own comment not yet delivered arrives after it (same ordered stream) and both are published', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US' });
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      const a = api(r);
      const top = (await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: 'first' })).json();
      const reply = await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: 'and more', parentId: top.id });
      assert.equal(reply.statusCode, 201, reply.body);
      assert.equal(reply.json().state, 'pending');
      await deliver(r);
      assert.deepEqual(
        (await commentsOf(r, videoId, creator, top.id)).map((c) => c.id),
        [reply.json().id],
      );
      assert.equal((await a.get(`/api/v1/comments/${reply.json().id}`, fan)).json().state, 'published');
    });

    it('a parent the video’s realm does not have (known out of band, still in flight) is refused at acceptance, not dropped', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US' });
      const local = await signUp(r, { country: 'FR' });
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      const a = api(r);
      const inFlight = (await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: 'on its way' })).json();
      const res = await a.post(`/api/v1/posts/${videoId}/comments`, local, { body: 'early', parentId: inFlight.id });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().error.code, 'parent_not_found');
      await deliver(r);
      assert.equal((await a.post(`/api/v1/posts/${videoId}/comments`, local, { body: 'now', parentId: inFlight.id })).statusCode, 201);
    });

    it('commentPolicy no_one: refused at once when known; set while a comment travels, the author sees it rejected with the reason', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US' });
      const local = await signUp(r, { country: 'FR' });
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      const a = api(r);
      // In flight when the creator turns comments off.
      const travelling = (await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: 'quick!' })).json();
      assert.equal(travelling.state, 'pending');
      assert.equal((await a.patch(`/api/v1/posts/${videoId}`, creator, { commentPolicy: 'no_one' })).statusCode, 200);
      // Right after: the fan's realm's projection is stale, the video's realm is not.
      for (const who of [fan, local]) {
        const res = await a.post(`/api/v1/posts/${videoId}/comments`, who, { body: 'too late' });
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(res.json().error.code, 'comments_off');
      }
      await deliver(r);
      const mine = (await a.get(`/api/v1/comments/${travelling.id}`, fan)).json();
      assert.equal(mine.state, 'rejected');
      assert.equal(mine.rejection.code, 'comments_off');
      const listed = await commentsOf(r, videoId, fan);
      assert.deepEqual(
        listed.map((c) => [c.id, c.state, c.rejection?.code]),
        [[travelling.id, 'rejected', 'comments_off']],
        'the author sees it in the comment list, with the reason',
      );
      assert.deepEqual(await commentsOf(r, videoId, creator), [], 'nobody else sees it');
    });

    it('a follower’s first comment right after following is published (same realm and across realms)', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const local = await signUp(r, { country: 'FR' });
      const far = await signUp(r, { country: 'US' });
      const { videoId } = await postVideo(r, creator, { commentPolicy: 'followers' });
      await deliver(r);
      const a = api(r);
      const ids: string[] = [];
      for (const who of [local, far]) {
        const f = await a.post(`/api/v1/users/${creator.handle}/follow`, who);
        assert.ok(f.statusCode < 300, f.body);
        const c = await a.post(`/api/v1/posts/${videoId}/comments`, who, { body: 'hello, new follower here' });
        assert.equal(c.statusCode, 201, c.body);
        ids.push(c.json().id);
      }
      await deliver(r);
      assert.deepEqual((await commentsOf(r, videoId, creator)).map((c) => c.id).sort(), ids.sort());
      for (const [i, who] of [local, far].entries()) assert.equal((await a.get(`/api/v1/comments/${ids[i]}`, who)).json().state, 'published');
    });
  });
}
