import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, postVideo } from '../social/helpers.ts';
import { moderate, staffToken, type StaffAuth } from './helpers.ts';

// Labels: "unverified" (on the post object in every realm, a share prompt,
// kept out of For You), age restriction (adults only), "state-affiliated
// media" on an account (profile and its posts everywhere), information
// banners by hashtag, and the For You down-ranking of labelled videos.

const forYou = async (t: TestReelm, who: any) =>
  ((await api(t).get('/api/v1/feed/for-you?limit=50&includeSeen=true', who)).json().items as any[]).map((i) => i.id);

for (const lane of lanes()) {
  describe(`labels [${lane}]`, () => {
    let t: TestReelm;
    let mod: StaffAuth;
    before(async () => {
      t = await startReelm(lane, {
        config: {
          feed: { safetyFactor: 0.001 },
          moderation: { banners: [{ hashtags: ['Election2026'], text: 'Find official election information', url: 'https://vote.example.org' }] },
        },
      });
      mod = await staffToken(t, 'global');
    });
    after(() => t.close());

    test('unverified: labelled everywhere, a share prompt, out of For You while it stands', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const far = await signUp(t, { country: 'US' });
      const p = await postVideo(t, creator, { caption: 'breaking news' });
      await deliver(t);
      const before = (await api(t).get(`/api/v1/posts/${p.videoId}`, far)).json();
      assert.deepEqual(before.labels, []);
      assert.equal(before.sharePrompt, false);
      assert.ok((await forYou(t, far)).includes(p.videoId), 'in For You before');
      const a = await moderate(t, mod, 'eu', 'video', p.videoId, 'label', { label: 'unverified' });
      await deliver(t);
      for (const who of [far, creator, undefined]) {
        const item = (await api(t).get(`/api/v1/posts/${p.videoId}`, who)).json();
        assert.deepEqual(item.labels, ['unverified']);
        assert.equal(item.sharePrompt, true);
      }
      assert.ok(!(await forYou(t, far)).includes(p.videoId), 'left out of For You');
      assert.ok(
        (await api(t).get(`/api/v1/users/${creator.handle}/videos`, far)).json().items.some((i: any) => i.id === p.videoId),
        'still on the profile',
      );
      // once verified (the appeal reversed), it is back
      assert.equal((await api(t).post('/api/v1/me/appeals', creator, { actionId: a.id, text: 'The facts are confirmed by two sources.' })).statusCode, 201);
      assert.equal(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/v1/admin/realms/eu/appeals/${a.id}/decision`,
            headers: mod.headers,
            payload: { decision: 'reverse', text: 'Verified against the sources given.' },
          })
        ).statusCode,
        200,
      );
      await deliver(t);
      assert.deepEqual((await api(t).get(`/api/v1/posts/${p.videoId}`, far)).json().labels, []);
      assert.ok((await forYou(t, far)).includes(p.videoId));
    });

    test('unverified: a session ranked before the label leaves the video out of its next pages too', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const viewer = await signUp(t, { country: 'US' });
      await postVideo(t, creator, { caption: 'first take' });
      await postVideo(t, creator, { caption: 'second take' });
      await deliver(t);
      const page = (cursor?: string) =>
        api(t)
          .get(`/api/v1/feed/for-you?limit=1&includeSeen=true${cursor ? `&cursor=${cursor}` : ''}`, viewer)
          .then((r) => r.json());
      const second = (await page()).nextCursor as string;
      const shown = (await page(second)).items.map((i: any) => i.id);
      assert.equal(shown.length, 1);
      const video = await t.reelm.realms
        .get('us')
        .db.selectFrom('post_index')
        .select(['video_id', 'video_realm'])
        .where('video_id', '=', shown[0])
        .executeTakeFirstOrThrow();
      await moderate(t, mod, video.video_realm, 'video', video.video_id, 'label', { label: 'unverified' });
      await deliver(t);
      // the same page of the same session, asked again: the session was ranked before the label
      assert.ok(!(await page(second)).items.some((i: any) => i.id === video.video_id), 'left out of the session ranked before');
    });

    test('age-restricted: only signed-in adults and the creator see it', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const adult = await signUp(t, { country: 'US', birthDate: '1990-01-01' });
      const teen = await signUp(t, { country: 'US', birthDate: `${new Date().getUTCFullYear() - 15}-01-01` });
      const p = await postVideo(t, creator, { caption: 'stunts' });
      await deliver(t);
      for (const who of [adult, teen, undefined]) assert.equal((await api(t).get(`/api/v1/posts/${p.videoId}`, who)).statusCode, 200);
      await moderate(t, mod, 'eu', 'video', p.videoId, 'age_restrict');
      await deliver(t);
      assert.equal((await api(t).get(`/api/v1/posts/${p.videoId}`, adult)).statusCode, 200);
      assert.deepEqual((await api(t).get(`/api/v1/posts/${p.videoId}`, adult)).json().labels, ['age_restricted']);
      assert.equal((await api(t).get(`/api/v1/posts/${p.videoId}`, creator)).statusCode, 200);
      assert.equal((await api(t).get(`/api/v1/posts/${p.videoId}`, teen)).statusCode, 404);
      assert.equal((await api(t).get(`/api/v1/posts/${p.videoId}`)).statusCode, 404);
      assert.ok(!(await api(t).get(`/api/v1/users/${creator.handle}/videos`, teen)).json().items.some((i: any) => i.id === p.videoId));
    });

    test('state-affiliated media: on the profile and on the account’s posts in every realm', async () => {
      const outlet = await signUp(t, { country: 'FR' });
      const far = await signUp(t, { country: 'US' });
      const p = await postVideo(t, outlet, { caption: 'today’s bulletin' });
      await deliver(t);
      assert.deepEqual((await api(t).get(`/api/v1/users/${outlet.handle}`)).json().labels, []);
      assert.equal(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/v1/admin/realms/eu/actions',
            headers: mod.headers,
            payload: {
              target: { kind: 'account', id: outlet.userId },
              action: 'label',
              label: 'unverified',
              reasonCode: 'other',
              reasonText: 'Not an account label at all.',
            },
          })
        ).statusCode,
        400,
      );
      await moderate(t, mod, 'eu', 'account', outlet.userId, 'label', { label: 'state_affiliated', reasonCode: 'other' });
      await deliver(t);
      assert.deepEqual((await api(t).get(`/api/v1/users/${outlet.handle}`)).json().labels, ['state_affiliated']);
      assert.deepEqual((await api(t).get(`/api/v1/posts/${p.videoId}`, far)).json().labels, ['state_affiliated']);
      const later = await postVideo(t, outlet, { caption: 'evening bulletin' });
      await deliver(t);
      assert.deepEqual((await api(t).get(`/api/v1/posts/${later.videoId}`, far)).json().labels, ['state_affiliated'], 'new posts carry it too');
    });

    test('an information banner on videos with a configured hashtag', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const with_ = await postVideo(t, creator, { caption: 'go vote #election2026' });
      const without = await postVideo(t, creator, { caption: 'cats #kittens' });
      await deliver(t);
      const viewer = await signUp(t, { country: 'US' });
      assert.deepEqual((await api(t).get(`/api/v1/posts/${with_.videoId}`, viewer)).json().banner, {
        text: 'Find official election information',
        url: 'https://vote.example.org',
      });
      assert.equal((await api(t).get(`/api/v1/posts/${without.videoId}`, viewer)).json().banner, null);
      const page = (await api(t).get('/api/v1/hashtags/election2026')).json();
      assert.ok(page.items.every((i: any) => i.banner?.text === 'Find official election information'));
    });

    test('a labelled video is down-ranked in For You by feed.safetyFactor', async () => {
      const viewer = await signUp(t, { country: 'US' });
      const posts = [];
      for (let i = 0; i < 4; i++) posts.push(await postVideo(t, await signUp(t, { country: i % 2 ? 'DE' : 'US' }), { caption: `clip ${i}` }));
      await deliver(t);
      const target = posts[0]!;
      const realm = (await t.reelm.directory.byUserId(target.post.author.id))!.realm;
      await moderate(t, await staffToken(t, realm === 'us' ? 'atlantic' : 'global'), realm, 'video', target.videoId, 'label', { label: 'sensitive' });
      await deliver(t);
      const order = await forYou(t, viewer);
      const at = order.indexOf(target.videoId);
      assert.ok(at >= 0, 'still recommended');
      for (const other of posts.slice(1))
        assert.ok(order.indexOf(other.videoId) >= 0 && order.indexOf(other.videoId) < at, 'ranked after the unlabelled videos');
    });
  });
}
