import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp, type App } from '../../src/api/app.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, STRONG_PASSWORD, type TestUser } from '../helpers/users.ts';
import { api, deliver, postVideo } from '../social/helpers.ts';

// Each abuse limit: the request after the limit is refused with 429 `rate_limited` and a
// Retry-After, nothing of it is stored, and the counters are shared by every API process of
// the realm (they live in its database; a second app on the same stores sees them).

function assertLimited(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, windowSeconds: number) {
  assert.equal(res.statusCode, 429);
  assert.equal(res.json().error.code, 'rate_limited');
  const retry = Number(res.headers['retry-after']);
  // sliding window: the current window still weighs on the next one, so a wait can reach into it
  assert.ok(retry >= 1 && retry <= 2 * windowSeconds, `Retry-After ${retry} within two windows`);
}

const limits = {
  actions: {
    logIn: { perAccount: 5, perAddress: 1000 },
    passwordChange: { perAccount: 3 },
    comment: { perAccount: 3 },
    like: { perAccount: 3, perAddress: 5 },
    follow: { perAccount: 3 },
    share: { perAccount: 60 },
    watchEvents: { perAccount: 600 },
  },
};

for (const lane of lanes()) {
  describe(`abuse limits [${lane}]`, () => {
    let t: TestReelm;
    let second: App;
    before(async () => {
      t = await startReelm(lane, { config: { limits } });
      second = await buildApp(t.reelm, { logger: false });
      await second.ready();
    });
    after(async () => {
      await second.close();
      await t.close();
    });

    const logIn = (app: App, login: string, password: string, remoteAddress: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url: '/api/v1/sessions', remoteAddress, headers, payload: { login, password, session: 'bearer' } });

    it('log-in: one counter per account whether the handle or the email is typed, shared by every API process', async () => {
      const victim = await signUp(t);
      // a stranger alternates handle and email, and the two API processes
      for (let i = 0; i < 5; i++) {
        const r = await logIn(i % 2 ? second : t.app, i % 2 ? victim.email : victim.handle.toUpperCase(), `wrong guess ${i}`, '198.51.100.20');
        assert.equal(r.statusCode, 401);
      }
      assertLimited(await logIn(t.app, victim.email, STRONG_PASSWORD, '198.51.100.20'), 900);
      assertLimited(await logIn(second, victim.handle, STRONG_PASSWORD, '192.0.2.44'), 900);
    });

    it('log-in: a device that logged in before keeps its own allowance against a stranger’s failures', async () => {
      const victim = await signUp(t);
      const first = await logIn(t.app, victim.handle, STRONG_PASSWORD, '192.0.2.10');
      assert.equal(first.statusCode, 201);
      const device = first.json().session.deviceToken as string;
      assert.match(device, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{32}$/);
      for (let i = 0; i < 5; i++) assert.equal((await logIn(t.app, victim.email, `stranger ${i}`, '198.51.100.30')).statusCode, 401);
      assertLimited(await logIn(t.app, victim.email, STRONG_PASSWORD, '198.51.100.30'), 900);
      // the victim's own device still gets in with the right password
      const mine = await logIn(t.app, victim.handle, STRONG_PASSWORD, '192.0.2.10', { 'reelm-device': device });
      assert.equal(mine.statusCode, 201, mine.body);
      // a device token of another account gives no allowance here
      const other = await signUp(t);
      const otherDevice = (await logIn(t.app, other.handle, STRONG_PASSWORD, '192.0.2.11')).json().session.deviceToken;
      assertLimited(await logIn(t.app, victim.handle, STRONG_PASSWORD, '192.0.2.11', { 'reelm-device': otherDevice }), 900);
      // and the device's own failures are limited too
      for (let i = 0; i < 5; i++) assert.equal((await logIn(t.app, victim.handle, `typo ${i}`, '192.0.2.10', { 'reelm-device': device })).statusCode, 401);
      assertLimited(await logIn(t.app, victim.handle, STRONG_PASSWORD, '192.0.2.10', { 'reelm-device': device }), 900);
    });

    it('password change is throttled like log-in; the refused change changes nothing', async () => {
      const p = await signUp(t);
      const change = (currentPassword: string) =>
        t.app.inject({
          method: 'PUT',
          url: '/api/v1/me/password',
          headers: p.headers,
          payload: { currentPassword, newPassword: 'an entirely new passphrase' },
        });
      for (let i = 0; i < 3; i++) assert.equal((await change(`not it ${i}`)).statusCode, 400);
      assertLimited(await change(p.password), 900);
      assert.equal((await logIn(t.app, p.handle, p.password, '192.0.2.60')).statusCode, 201, 'the old password still works');
    });

    it('comments, likes, follows: the request after the limit is refused and nothing of it is counted', async () => {
      const creator = await signUp(t);
      const fan = await signUp(t);
      const { videoId } = await postVideo(t, creator);
      await deliver(t);
      const a = api(t);
      for (let i = 0; i < 3; i++) assert.equal((await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: `comment number ${i}` })).statusCode, 201);
      assertLimited(await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: 'one too many' }), 600);
      for (let i = 0; i < 3; i++) assert.equal((await a.put(`/api/v1/posts/${videoId}/like`, fan)).statusCode, 200);
      assertLimited(await a.put(`/api/v1/posts/${videoId}/like`, fan), 3600);
      await deliver(t);
      const post = await t.reelm.realms
        .get(creator.realm)
        .db.selectFrom('posts')
        .select(['comment_count', 'like_count'])
        .where('video_id', '=', videoId)
        .executeTakeFirstOrThrow();
      assert.deepEqual({ comments: Number(post.comment_count), likes: Number(post.like_count) }, { comments: 3, likes: 1 });
      const targets: TestUser[] = [];
      for (let i = 0; i < 4; i++) targets.push(await signUp(t));
      for (const x of targets.slice(0, 3)) assert.equal((await a.post(`/api/v1/users/${x.handle}/follow`, fan)).statusCode, 200);
      assertLimited(await a.post(`/api/v1/users/${targets[3]!.handle}/follow`, fan), 3600);
      const follows = await t.reelm.realms.get(fan.realm).db.selectFrom('follows').select('followee_id').where('follower_id', '=', fan.userId).execute();
      assert.equal(follows.length, 3);
    });

    it('per address: many accounts behind one address share its allowance', async () => {
      const creator = await signUp(t);
      const { videoId } = await postVideo(t, creator);
      await deliver(t);
      const people = [await signUp(t), await signUp(t)];
      const like = (who: TestUser) =>
        t.app.inject({ method: 'PUT', url: `/api/v1/posts/${videoId}/like`, headers: who.headers, remoteAddress: '203.0.113.50' });
      for (let i = 0; i < 3; i++) assert.equal((await like(people[0]!)).statusCode, 200);
      for (let i = 0; i < 2; i++) assert.equal((await like(people[1]!)).statusCode, 200);
      assertLimited(await like(people[1]!), 3600);
      // the address is kept only as a keyed hash
      const keys = await t.reelm.realms.get(creator.realm).db.selectFrom('rate_counters').select('key').execute();
      assert.ok(keys.length > 0);
      assert.ok(keys.every((k) => /^[A-Za-z0-9_-]{43}$/.test(k.key) && !k.key.includes('203.0.113')));
    });

    it('500 watch events with distinct ids from one person are one view; the batch past the limit is refused', async () => {
      const creator = await signUp(t);
      const viewer = await signUp(t);
      const { videoId } = await postVideo(t, creator);
      await deliver(t);
      const events = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          clientEventId: `inflate-${from + i}-xxxx`,
          videoId,
          watchedMs: 5000,
          durationMs: 9000,
          completed: false,
          replays: 0,
          playedAt: new Date().toISOString(),
        }));
      const res = await api(t).post('/api/v1/watch-events', viewer, { events: events(0, 500) });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().stored, 500, 'every play is kept in the person’s history');
      assertLimited(await api(t).post('/api/v1/watch-events', viewer, { events: events(500, 200) }), 3600);
      await deliver(t);
      const post = await t.reelm.realms
        .get(creator.realm)
        .db.selectFrom('posts')
        .select('view_count')
        .where('video_id', '=', videoId)
        .executeTakeFirstOrThrow();
      assert.equal(Number(post.view_count), 1);
      const stored = await t.reelm.realms.get(viewer.realm).db.selectFrom('watch_events').select('counts_view').where('user_id', '=', viewer.userId).execute();
      assert.equal(stored.length, 500, 'the refused batch stored nothing');
      assert.equal(stored.filter((s) => s.counts_view === 1).length, 1);
    });

    it('60 shares from one person count once; each answer says whether it counted; the 61st is refused', async () => {
      const creator = await signUp(t);
      const sharer = await signUp(t);
      const { videoId } = await postVideo(t, creator);
      await deliver(t);
      const answers = [];
      for (let i = 0; i < 60; i++) answers.push(await api(t).post(`/api/v1/posts/${videoId}/shares`, sharer, { channel: 'link' }));
      assert.deepEqual(
        answers.map((r) => [r.statusCode, r.json().counted]),
        [[201, true], ...Array.from({ length: 59 }, () => [200, false])],
      );
      assertLimited(await api(t).post(`/api/v1/posts/${videoId}/shares`, sharer, { channel: 'link' }), 3600);
      await deliver(t);
      const post = await t.reelm.realms
        .get(creator.realm)
        .db.selectFrom('posts')
        .select('share_count')
        .where('video_id', '=', videoId)
        .executeTakeFirstOrThrow();
      assert.equal(Number(post.share_count), 1);
    });
  });

  describe(`sign-up limit per address [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane, { config: { limits: { actions: { signUp: { perAddress: 3 } } } } });
    });
    after(() => t.close());

    it('the sign-up after the limit is refused from that address, and no account is made', async () => {
      const attempt = (handle: string, remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/accounts',
          remoteAddress,
          payload: { handle, email: `${handle}@example.com`, password: STRONG_PASSWORD, birthDate: '1990-01-01', country: 'US', session: 'bearer' },
        });
      for (let i = 0; i < 3; i++) assert.equal((await attempt(`farm${i}x`, '203.0.113.9')).statusCode, 201);
      assertLimited(await attempt('farm3x', '203.0.113.9'), 3600);
      assert.equal(await t.reelm.directory.byHandle('farm3x'), undefined);
      assert.equal((await attempt('honest1', '192.0.2.77')).statusCode, 201, 'another address is not affected');
    });
  });
}
