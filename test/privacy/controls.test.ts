import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, follow, postVideo } from '../social/helpers.ts';

// Privacy controls a person sets for themselves: mute (posts and comments of
// an account hidden from the muter, who alone knows), keyword filters (videos
// and comments with those words hidden from them, For You included), and
// hiding the videos they liked.

const has = (page: { items: { id: string }[] }, id: string) => page.items.some((i) => i.id === id);

for (const lane of lanes()) {
  describe(`privacy controls [${lane}]`, () => {
    let t: TestReelm;
    let me: TestUser; // us
    let loud: TestUser; // eu, muted
    let other: TestUser; // us
    before(async () => {
      t = await startReelm(lane);
      me = await signUp(t, { country: 'US' });
      loud = await signUp(t, { country: 'DE' });
      other = await signUp(t, { country: 'US' });
    });
    after(() => t.close());
    const a = () => api(t);

    test('mute: the muted account’s videos leave my feeds, tag pages, search and For You, and its comments my comment lists; nobody else is affected, and they are not told', async () => {
      await follow(t, me, loud);
      const v = await postVideo(t, loud, { caption: 'loud noises #megaphone' });
      const mine = await postVideo(t, other, { caption: 'calm #megaphone' });
      await deliver(t);
      const c = await a().post(`/api/v1/posts/${mine.videoId}/comments`, loud, { body: 'LOUD COMMENT' });
      assert.equal(c.statusCode, 201, c.body);
      await deliver(t);
      const paths = (who: TestUser) => [
        a().get('/api/v1/feed/following', who),
        a().get('/api/v1/hashtags/megaphone', who),
        a().get('/api/v1/feed/for-you?limit=50', who),
      ];
      for (const r of await Promise.all(paths(me))) assert.ok(has(r.json(), v.videoId), 'seen before muting');
      const outbox = async () => Number(((await t.reelm.realms.get('us').raw('select count(*) as n from flow_outbox')).rows[0] as { n: unknown }).n);
      const before = await outbox();
      const m = await a().put(`/api/v1/mutes/${loud.handle}`, me);
      assert.equal(m.statusCode, 200, m.body);
      assert.equal(await outbox(), before, 'nothing is sent anywhere: the muted person is not told');
      assert.deepEqual(
        (await a().get('/api/v1/me/mutes', me)).json().items.map((i: { handle: string }) => i.handle),
        [loud.handle],
      );
      for (const r of await Promise.all(paths(me))) assert.ok(!has(r.json(), v.videoId), 'hidden after muting');
      assert.ok(!(await a().get('/api/v1/search?q=loud&type=videos', me)).json().videos.some((i: { id: string }) => i.id === v.videoId));
      const comments = async (who: TestUser) =>
        ((await a().get(`/api/v1/posts/${mine.videoId}/comments`, who)).json().items as { body: string }[]).map((x) => x.body);
      assert.deepEqual(await comments(me), []);
      assert.deepEqual(await comments(other), ['LOUD COMMENT'], 'others still see it');
      assert.ok(has((await a().get('/api/v1/hashtags/megaphone', other)).json(), v.videoId));
      // a profile visited on purpose and the video by its id stay reachable
      assert.equal((await a().get(`/api/v1/posts/${v.videoId}`, me)).statusCode, 200);
      assert.equal((await a().del(`/api/v1/mutes/${loud.handle}`, me)).statusCode, 200);
      assert.ok(has((await a().get('/api/v1/hashtags/megaphone', me)).json(), v.videoId), 'unmuted: back');
      assert.equal((await a().del(`/api/v1/mutes/${loud.handle}`, me)).statusCode, 404);
      assert.equal((await a().put(`/api/v1/mutes/${me.handle}`, me)).json().error.code, 'cannot_mute_self');
    });

    test('keyword filters hide videos (For You included) and comments with those words, case-insensitively; LIKE wildcards are literal', async () => {
      // distinct creators: For You shows one video per creator on a page
      const spoiler = await postVideo(t, await signUp(t, { country: 'US' }), { caption: 'The ENDING explained #films' });
      const fine = await postVideo(t, await signUp(t, { country: 'DE' }), { caption: 'Trailer reaction #films' });
      const pct = await postVideo(t, other, { caption: 'half off 50_50 deal #films' });
      await deliver(t);
      const c1 = await a().post(`/api/v1/posts/${fine.videoId}/comments`, loud, { body: 'the ending was sad' });
      const c2 = await a().post(`/api/v1/posts/${fine.videoId}/comments`, loud, { body: 'great trailer' });
      assert.equal(c1.statusCode + c2.statusCode, 402);
      await deliver(t);
      const set = await a().patch('/api/v1/me/settings', me, { keywordFilters: ['  Ending ', 'ending', '0%5'] });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual(set.json().keywordFilters, ['0%5', 'ending']);
      const tag = (await a().get('/api/v1/hashtags/films', me)).json();
      assert.ok(!has(tag, spoiler.videoId) && has(tag, fine.videoId), 'the video with the word is hidden');
      assert.ok(has(tag, pct.videoId), '"0%5" is not a wildcard: "50_50" is not matched');
      const fy = (await a().get('/api/v1/feed/for-you?limit=50', me)).json();
      assert.ok(!has(fy, spoiler.videoId) && has(fy, fine.videoId), 'For You too');
      assert.ok(has((await a().get('/api/v1/hashtags/films', other)).json(), spoiler.videoId), 'only for me');
      const bodies = ((await a().get(`/api/v1/posts/${fine.videoId}/comments`, me)).json().items as { body: string }[]).map((x) => x.body);
      assert.deepEqual(bodies, ['great trailer']);
      const tooMany = await a().patch('/api/v1/me/settings', me, { keywordFilters: Array.from({ length: 51 }, (_, i) => `w${i}`) });
      assert.equal(tooMany.statusCode, 400);
      assert.equal(tooMany.json().error.code, 'too_many_keywords');
      assert.equal((await a().patch('/api/v1/me/settings', me, { keywordFilters: [] })).json().keywordFilters.length, 0);
      assert.ok(has((await a().get('/api/v1/hashtags/films', me)).json(), spoiler.videoId));
    });

    test('hide liked videos: the liked list is answered as for an unknown account to others, still shown to the person', async () => {
      const v = await postVideo(t, other, { caption: 'likeable' });
      await deliver(t);
      assert.equal((await a().put(`/api/v1/posts/${v.videoId}/like`, me)).statusCode, 200);
      await deliver(t);
      const liked = (who?: TestUser) => a().get(`/api/v1/users/${me.handle}/liked`, who);
      assert.ok(has((await liked(other)).json(), v.videoId), 'shown by default');
      assert.ok(has((await liked()).json(), v.videoId));
      assert.equal((await a().patch('/api/v1/me/settings', me, { hideLikes: true })).json().hideLikes, true);
      const unknown = await a().get('/api/v1/users/nosuchperson42/liked', other);
      for (const who of [other, loud, undefined]) {
        const r = await liked(who);
        assert.equal(r.statusCode, 404);
        assert.deepEqual(r.json(), unknown.json());
      }
      assert.ok(has((await liked(me)).json(), v.videoId), 'the person still sees their own');
      assert.equal((await a().get('/api/v1/me/settings', me)).json().screenTime.dailyReminderMinutes, 60);
      assert.equal((await a().patch('/api/v1/me/settings', me, { screenTimeMinutes: 45 })).json().screenTime.dailyReminderMinutes, 45);
      assert.equal((await a().patch('/api/v1/me/settings', me, { screenTimeMinutes: 0 })).statusCode, 400);
      assert.equal((await a().patch('/api/v1/me/settings', me, { nonsense: 1 })).statusCode, 400);
    });
  });
}
