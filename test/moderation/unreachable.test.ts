import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { mayReuse } from '../../src/social/reuse.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, follow, postVideo } from '../social/helpers.ts';
import { admin, moderate, staffToken } from './helpers.ts';

// A removed video is unreachable by every path — feeds (Following, For You),
// profile, hashtag, sound page, search, direct media URL (public and granted),
// share page, comments, duet and reuse of its sound — in its own realm and in
// the others (their copies are withdrawn). Each path is checked to show the
// video first, so a check that could not fail would fail here.

const path = (url: string) => new URL(url, 'http://x').pathname + new URL(url, 'http://x').search;

for (const lane of lanes()) {
  describe(`a removed video is unreachable [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    async function reachable(videoId: string, who: TestUser | undefined, tag: string, word: string, soundId: string, handle: string) {
      const a = api(t);
      const has = (page: any) => (page.items ?? page.videos ?? []).some((i: any) => i.id === videoId);
      const out: Record<string, boolean> = {};
      out.post = (await a.get(`/api/v1/posts/${videoId}`, who)).statusCode === 200;
      if (who) out.following = has((await a.get('/api/v1/feed/following?limit=50', who)).json());
      out.forYou = has((await a.get('/api/v1/feed/for-you?limit=50&includeSeen=true&country=DE', who)).json());
      out.profile = has((await a.get(`/api/v1/users/${handle}/videos`, who)).json());
      out.hashtag = has((await a.get(`/api/v1/hashtags/${tag}`, who)).json());
      const sound = await a.get(`/api/v1/sounds/${soundId}/videos`, who);
      out.sound = sound.statusCode === 200 && has(sound.json());
      out.search = has((await a.get(`/api/v1/search?q=${word}&type=videos`, who)).json());
      out.share = (await t.app.inject({ url: `/v/${videoId}`, headers: who?.headers })).statusCode === 200;
      out.comments = (await a.get(`/api/v1/posts/${videoId}/comments`, who)).statusCode === 200;
      return out;
    }

    test('every path, in the video’s realm and in another, signed in and out', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const near = await signUp(t, { country: 'FR' }); // eu, the creator's realm
      const far = await signUp(t, { country: 'US' }); // another realm
      await follow(t, near, creator);
      await follow(t, far, creator);
      const word = `w${randomBytes(4).toString('hex')}`;
      const tag = `t${randomBytes(4).toString('hex')}`;
      const p = await postVideo(t, creator, { caption: `${word} #${tag}` }, { soundTitle: `song ${word}` });
      const mediaUrl = path(p.post.playUrl);
      await deliver(t);
      const c = await api(t).post(`/api/v1/posts/${p.videoId}/comments`, far, { body: 'nice' });
      assert.equal(c.statusCode, 201, c.body);
      await deliver(t);

      const viewers: [string, TestUser | undefined][] = [
        ['same realm', near],
        ['other realm', far],
        ['signed out', undefined],
      ];
      for (const [name, who] of viewers) {
        const seen = await reachable(p.videoId, who, tag, word, p.soundId!, creator.handle);
        for (const [k, v] of Object.entries(seen)) assert.equal(v, true, `${name}: ${k} shows the video before removal`);
      }
      assert.equal((await t.app.inject({ url: mediaUrl })).statusCode, 200);
      for (const who of [near, far]) {
        const db = t.reelm.realms.get(who.realm).db;
        assert.equal(await mayReuse(db, who.userId, { videoId: p.videoId, videoRealm: 'eu' }, 'duet'), 'ok');
        assert.equal(await mayReuse(db, who.userId, { videoId: p.videoId, videoRealm: 'eu' }, 'sound'), 'ok');
      }

      const mod = await staffToken(t, 'global');
      await moderate(t, mod, 'eu', 'video', p.videoId, 'remove');
      await deliver(t);

      for (const [name, who] of viewers) {
        const seen = await reachable(p.videoId, who, tag, word, p.soundId!, creator.handle);
        for (const [k, v] of Object.entries(seen)) assert.equal(v, false, `${name}: ${k} still shows the removed video`);
      }
      assert.equal((await t.app.inject({ url: mediaUrl })).statusCode, 404, 'the public media URL refuses');
      assert.equal((await api(t).post(`/api/v1/posts/${p.videoId}/comments`, near, { body: 'still here?' })).statusCode, 404, 'no new comments');
      for (const who of [near, far]) {
        const db = t.reelm.realms.get(who.realm).db;
        assert.equal(await mayReuse(db, who.userId, { videoId: p.videoId, videoRealm: 'eu' }, 'duet'), 'missing');
        assert.equal(await mayReuse(db, who.userId, { videoId: p.videoId, videoRealm: 'eu' }, 'sound'), 'missing');
      }
      const copy = await t.reelm.realms.get('us').db.selectFrom('post_index').select('video_id').where('video_id', '=', p.videoId).executeTakeFirst();
      assert.equal(copy, undefined, 'the other realm’s copy is withdrawn');
      // the creator's own profile still lists it (they see it, and why)
      const own = (await api(t).get(`/api/v1/users/${creator.handle}/videos`, creator)).json();
      assert.ok(own.items.some((i: any) => i.id === p.videoId));
      // and editing the post cannot undo the removal
      const edit = await api(t).patch(`/api/v1/posts/${p.videoId}`, creator, { audience: 'public', caption: 'back again' });
      assert.equal(edit.statusCode, 200, edit.body);
      assert.equal(edit.json().audience, 'private');
      await deliver(t);
      assert.equal((await api(t).get(`/api/v1/posts/${p.videoId}`, far)).statusCode, 404);
      assert.equal((await t.app.inject({ url: mediaUrl })).statusCode, 404);
    });

    test('a granted media link of a followers-only video stops working when it is removed', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const fan = await signUp(t, { country: 'US' });
      await follow(t, fan, creator);
      const p = await postVideo(t, creator, { audience: 'followers' });
      await deliver(t);
      const seen = await api(t).get(`/api/v1/posts/${p.videoId}`, fan);
      assert.equal(seen.statusCode, 200, seen.body);
      const granted = path(seen.json().playUrl);
      assert.match(granted, /[?&]g=/);
      assert.equal((await t.app.inject({ url: granted, headers: fan.headers })).statusCode, 200);
      const ownLink = path((await api(t).get(`/api/v1/posts/${p.videoId}`, creator)).json().playUrl);
      const mod = await staffToken(t, 'global');
      await moderate(t, mod, 'eu', 'video', p.videoId, 'remove');
      await deliver(t);
      assert.equal((await t.app.inject({ url: granted, headers: fan.headers })).statusCode, 404, 'a link signed before the removal refuses');
      assert.equal((await t.app.inject({ url: ownLink, headers: creator.headers })).statusCode, 200, 'the creator still plays their own video');
    });

    test('suspending an account ends its sessions and hides its content everywhere', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const fan = await signUp(t, { country: 'US' });
      await follow(t, fan, creator);
      const second = await t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: { login: creator.handle, password: creator.password, session: 'bearer' },
      });
      assert.equal(second.statusCode, 201, second.body);
      const otherToken = { authorization: `Bearer ${second.json().session.token}` };
      const p = await postVideo(t, creator, { caption: 'hello' });
      const mediaUrl = path(p.post.playUrl);
      await deliver(t);
      assert.equal((await api(t).get(`/api/v1/posts/${p.videoId}`, fan)).statusCode, 200);

      const mod = await staffToken(t, 'global');
      await moderate(t, mod, 'eu', 'account', creator.userId, 'suspend');
      await deliver(t);
      assert.equal((await t.app.inject({ url: '/api/v1/me', headers: creator.headers })).statusCode, 401, 'P4: sessions end');
      assert.equal((await t.app.inject({ url: '/api/v1/me', headers: otherToken })).statusCode, 401, 'P4: every session');
      assert.equal((await api(t).get(`/api/v1/posts/${p.videoId}`, fan)).statusCode, 404);
      assert.equal((await api(t).get(`/api/v1/users/${creator.handle}/videos`, fan)).json().items.length, 0);
      assert.equal((await api(t).get(`/api/v1/users/${creator.handle}/videos`)).json().items.length, 0);
      assert.equal((await api(t).get('/api/v1/feed/following', fan)).json().items.length, 0);
      assert.equal((await t.app.inject({ url: mediaUrl })).statusCode, 404);
      const copies = await t.reelm.realms.get('us').db.selectFrom('post_index').select('video_id').where('owner_id', '=', creator.userId).execute();
      assert.equal(copies.length, 0, 'other realms’ copies withdrawn');
    });

    test('a suspended person may sign in, read and appeal, but not comment, like, follow or post until the appeal is granted', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const fan = await signUp(t, { country: 'US' });
      const theirs = await postVideo(t, fan, { caption: 'a video to comment on' });
      await deliver(t);
      const mod = await staffToken(t, 'global');
      const suspension = await moderate(t, mod, 'eu', 'account', creator.userId, 'suspend');
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: { login: creator.handle, password: creator.password, session: 'bearer' },
      });
      assert.equal(login.statusCode, 201, login.body);
      const back = { ...creator, headers: { authorization: `Bearer ${login.json().session.token}` } };
      const a = api(t);
      assert.equal((await a.get('/api/v1/me', back)).statusCode, 200, 'reading stays open');
      const refused = [
        await a.post(`/api/v1/posts/${theirs.videoId}/comments`, back, { text: 'spam from a suspended account' }),
        await a.put(`/api/v1/posts/${theirs.videoId}/like`, back),
        await a.post(`/api/v1/users/${fan.handle}/follow`, back),
        await a.patch('/api/v1/me/profile', back, { bio: 'still here' }),
      ];
      for (const res of refused) {
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(res.json().error.code, 'account_suspended');
      }
      const comments = (await a.get(`/api/v1/posts/${theirs.videoId}/comments`, fan)).json().items;
      assert.equal(comments.length, 0, 'nothing of the refused writes is stored');
      const appealed = await a.post('/api/v1/me/appeals', back, { actionId: suspension.id, text: 'I was suspended by mistake, please review.' });
      assert.equal(appealed.statusCode, 201, appealed.body);
      const granted = await admin(t, mod).decide('eu', suspension.id, { decision: 'reverse', text: 'On review the account broke no rule.' });
      assert.equal(granted.statusCode, 200, granted.body);
      assert.equal((await a.put(`/api/v1/posts/${theirs.videoId}/like`, back)).statusCode, 200, 'writes open again once the suspension is lifted');
    });
  });
}
