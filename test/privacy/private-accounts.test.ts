import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, postVideo } from '../social/helpers.ts';

// Private accounts: their posts are seen by approved followers only, on every
// path (and answer exactly like missing ones to anyone else, S1); follows
// become requests the owner approves or declines, in the same realm and across
// realms (declared flows); their follower and following lists are hidden.

const MISSING_ID = '01aaaaaaaaaaaaaaaaaaaaaaaa';

for (const lane of lanes()) {
  describe(`private accounts [${lane}]`, () => {
    let t: TestReelm;
    let ana: TestUser; // us, private
    let bo: TestUser; // us, approved follower (same realm)
    let eli: TestUser; // eu, approved follower (cross realm)
    let cy: TestUser; // us, declined
    let dee: TestUser; // eu, requests then withdraws
    let fay: TestUser; // eu, stranger
    before(async () => {
      t = await startReelm(lane);
      ana = await signUp(t, { country: 'US' });
      bo = await signUp(t, { country: 'US' });
      eli = await signUp(t, { country: 'DE' });
      cy = await signUp(t, { country: 'US' });
      dee = await signUp(t, { country: 'FR' });
      fay = await signUp(t, { country: 'DE' });
    });
    after(() => t.close());

    const a = () => api(t);
    const requests = async (who: TestUser) => ((await a().get('/api/v1/me/follow-requests', who)).json().items as { handle: string }[]).map((i) => i.handle);
    const sent = async (who: TestUser) => (await a().get('/api/v1/me/follow-requests/sent', who)).json().items as { handle: string; state: string }[];
    const kinds = async (who: TestUser) => ((await a().get('/api/v1/me/notifications', who)).json().items as { kind: string }[]).map((n) => n.kind);

    test('follows become requests: approve and decline in the same realm and across realms; a withdrawn request disappears', async () => {
      const set = await a().patch('/api/v1/me/settings', ana, { isPrivate: true });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().isPrivate, true);
      assert.equal((await a().get(`/api/v1/users/${ana.handle}`)).json().isPrivate, true);

      for (const who of [bo, eli, cy, dee]) {
        const r = await a().post(`/api/v1/users/${ana.handle}/follow`, who);
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json(), { following: false, requested: true, handle: ana.handle, realm: 'us' });
      }
      await deliver(t);
      assert.deepEqual((await requests(ana)).sort(), [bo, eli, cy, dee].map((u) => u.handle).sort());
      assert.ok((await kinds(ana)).includes('follow_request'), 'the owner is notified of requests');
      assert.deepEqual(await sent(eli), [{ ...(await sent(eli))[0]!, handle: ana.handle, state: 'pending' }]);
      // a pending request follows nothing yet, in either realm
      assert.equal((await a().get(`/api/v1/users/${ana.handle}`)).json().followerCount, 0);
      assert.equal((await t.reelm.realms.get('eu').db.selectFrom('follows').selectAll().where('follower_id', '=', eli.userId).execute()).length, 0);

      // dee withdraws (cross realm): gone from ana's requests once delivered
      assert.equal((await a().del(`/api/v1/users/${ana.handle}/follow`, dee)).statusCode, 200);
      await deliver(t);
      assert.ok(!(await requests(ana)).includes(dee.handle));
      assert.deepEqual(await sent(dee), []);

      for (const who of [bo, eli]) assert.equal((await a().post(`/api/v1/me/follow-requests/${who.handle}/approve`, ana)).statusCode, 200);
      assert.equal((await a().post(`/api/v1/me/follow-requests/${cy.handle}/decline`, ana)).statusCode, 200);
      assert.equal((await a().post(`/api/v1/me/follow-requests/${cy.handle}/approve`, ana)).statusCode, 404, 'a decided request is gone');
      assert.equal((await a().post(`/api/v1/me/follow-requests/${fay.handle}/approve`, ana)).statusCode, 404, 'no request, nothing to approve');
      await deliver(t);
      assert.deepEqual(await requests(ana), []);
      assert.equal((await a().get(`/api/v1/users/${ana.handle}`)).json().followerCount, 2);
      for (const who of [bo, eli]) {
        assert.equal((await a().get(`/api/v1/users/${who.handle}`)).json().followingCount, 1);
        assert.deepEqual(await sent(who), [], 'an approved request became a follow');
        assert.ok((await kinds(who)).includes('follow_approved'), 'the requester sees the outcome');
      }
      assert.equal((await t.reelm.realms.get('eu').db.selectFrom('follows').selectAll().where('follower_id', '=', eli.userId).execute()).length, 1);
      assert.deepEqual(
        (await sent(cy)).map((s) => s.state),
        ['declined'],
      );
      assert.equal((await a().get(`/api/v1/users/${cy.handle}`)).json().followingCount, 0);
      // asking again after a decline is a new pending request
      assert.equal((await a().post(`/api/v1/users/${ana.handle}/follow`, cy)).json().requested, true);
      await deliver(t);
      assert.deepEqual(await requests(ana), [cy.handle]);
    });

    test('a private account’s posts: approved followers only, on every path; to anyone else exactly like missing ones (S1), :handle routes included', async () => {
      const p = await postVideo(t, ana, { caption: 'secret garden #hidden' }, { soundTitle: 'Quiet tune' });
      await deliver(t);
      assert.equal(p.post.audience, 'followers', 'a post a private account makes public is followers-only');
      const id = p.videoId;
      const soundId = p.soundId!;

      // the projection stays home and in its approved followers' realms only (eu: eli); intl holds nothing
      assert.ok(await t.reelm.realms.get('eu').db.selectFrom('post_index').select('video_id').where('video_id', '=', id).executeTakeFirst());
      assert.equal(await t.reelm.realms.get('intl').db.selectFrom('post_index').select('video_id').where('video_id', '=', id).executeTakeFirst(), undefined);

      for (const fan of [bo, eli]) {
        assert.equal((await a().get(`/api/v1/posts/${id}`, fan)).statusCode, 200, 'follower sees the post');
        assert.ok((await a().get('/api/v1/feed/following', fan)).json().items.some((i: { id: string }) => i.id === id));
        assert.ok((await a().get(`/api/v1/users/${ana.handle}/videos`, fan)).json().items.some((i: { id: string }) => i.id === id));
        assert.ok((await a().get('/api/v1/hashtags/hidden', fan)).json().items.some((i: { id: string }) => i.id === id));
        assert.ok((await a().get(`/api/v1/search?q=secret&type=videos`, fan)).json().videos.some((i: { id: string }) => i.id === id));
        assert.equal((await a().get(`/api/v1/users/${ana.handle}/followers`, fan)).statusCode, 200);
        const play = (await a().get(`/api/v1/posts/${id}`, fan)).json().playUrl as string;
        assert.match(play, /[?&]/, 'a follower gets a signed, viewer-bound media link');
      }

      const missingPost = await a().get(`/api/v1/posts/${MISSING_ID}`, fay);
      const missingShare = await t.app.inject({ url: `/v/${MISSING_ID}` });
      const unknownHandle = 'nosuchperson42';
      for (const who of [fay, cy, undefined]) {
        const label = who ? who.handle : 'anonymous';
        const got = await a().get(`/api/v1/posts/${id}`, who);
        assert.equal(got.statusCode, missingPost.statusCode, label);
        assert.deepEqual(got.json(), missingPost.json(), `${label}: same answer as a missing id`);
        for (const route of ['videos', 'followers', 'following', 'liked']) {
          const hidden = await a().get(`/api/v1/users/${ana.handle}/${route}`, who);
          const unknown = await a().get(`/api/v1/users/${unknownHandle}/${route}`, who);
          assert.equal(hidden.statusCode, 404, `${label} ${route}`);
          assert.deepEqual(hidden.json(), unknown.json(), `${label} ${route}: same answer as an unknown handle`);
        }
        assert.ok(!(await a().get('/api/v1/hashtags/hidden', who)).json().items.some((i: { id: string }) => i.id === id), `${label} hashtag`);
        const search = (await a().get('/api/v1/search?q=secret&type=videos', who)).json();
        assert.ok(!search.videos.some((i: { id: string }) => i.id === id), `${label} search`);
        assert.equal((await a().get(`/api/v1/sounds/${soundId}/videos`, who)).statusCode, 404, `${label} sound page`);
        const forYou = (await a().get('/api/v1/feed/for-you?limit=50', who)).json();
        assert.ok(!forYou.items.some((i: { id: string }) => i.id === id), `${label} For You`);
        const share = await t.app.inject({ url: `/v/${id}`, headers: who?.headers });
        assert.equal(share.statusCode, missingShare.statusCode, `${label} share page`);
        assert.equal(share.body, missingShare.body);
      }
      // the public media URL does not serve the files (a grant is needed)
      const key = (await t.reelm.realms.get('us').db.selectFrom('post_index').select('play_key').where('video_id', '=', id).executeTakeFirstOrThrow())
        .play_key!;
      const direct = await t.app.inject({ url: `/media/us/${key}` });
      assert.ok(direct.statusCode === 403 || direct.statusCode === 404, `direct media URL: ${direct.statusCode}`);
      // the profile itself stays visible, so people can ask to follow
      assert.equal((await a().get(`/api/v1/users/${ana.handle}`, fay)).statusCode, 200);
    });

    test('going public restores the posts chosen public (approving nothing); going private again keeps followers', async () => {
      const p = await postVideo(t, ana, { caption: 'open day #openday' });
      await deliver(t);
      assert.equal((await a().get(`/api/v1/posts/${p.videoId}`, fay)).statusCode, 404);
      assert.equal((await a().patch('/api/v1/me/settings', ana, { isPrivate: false })).json().isPrivate, false);
      await deliver(t);
      assert.equal((await a().get(`/api/v1/posts/${p.videoId}`, fay)).json().audience, 'public');
      assert.ok(await t.reelm.realms.get('intl').db.selectFrom('post_index').select('video_id').where('video_id', '=', p.videoId).executeTakeFirst());
      assert.deepEqual(await requests(ana), [cy.handle], 'a pending request is not approved by going public');
      assert.equal((await a().get(`/api/v1/users/${ana.handle}/followers`, fay)).statusCode, 200);

      assert.equal((await a().patch('/api/v1/me/profile', ana, { isPrivate: true })).json().isPrivate, true);
      await deliver(t);
      assert.equal((await a().get(`/api/v1/posts/${p.videoId}`, fay)).statusCode, 404);
      assert.equal(
        await t.reelm.realms.get('intl').db.selectFrom('post_index').select('video_id').where('video_id', '=', p.videoId).executeTakeFirst(),
        undefined,
        'withdrawn from realms with no follower',
      );
      assert.equal((await a().get(`/api/v1/posts/${p.videoId}`, eli)).statusCode, 200, 'followers stay');
      assert.equal((await a().get(`/api/v1/users/${ana.handle}`)).json().followerCount, 2);
    });

    test('a block ends pending follow requests both ways', async () => {
      assert.equal((await a().post(`/api/v1/users/${ana.handle}/follow`, fay)).json().requested, true);
      await deliver(t);
      assert.ok((await requests(ana)).includes(fay.handle));
      assert.equal((await a().put(`/api/v1/blocks/${fay.handle}`, ana)).statusCode, 200);
      await deliver(t);
      assert.ok(!(await requests(ana)).includes(fay.handle));
      assert.deepEqual(
        (await sent(fay)).map((r) => r.state),
        ['declined'],
      );
      assert.equal((await a().post(`/api/v1/users/${ana.handle}/follow`, fay)).statusCode, 403, 'no new request across a block');
    });
  });
}
