import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { refreshTeenProjections } from '../../src/privacy/birthdays.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { makeClip } from '../media/corpus.ts';
import { multipart } from '../media/helpers.ts';
import { api, deliver, postVideo } from '../social/helpers.ts';

// Teen protection per country, from the residency policy: here Germany
// protects under-18s (private by default under 16) and the default protects
// nobody, so the same ages behave differently by country. Ages come from the
// birth date at the time of each decision; the task re-publishes what other
// realms hold when a birthday ends a protection.

const DAY = 86_400_000;
/** The birth date of someone `years` old today whose next birthday is in `daysToBirthday` days. */
function born(years: number, daysToBirthday: number): string {
  const d = new Date(Date.now() + daysToBirthday * DAY);
  return new Date(Date.UTC(d.getUTCFullYear() - years - 1, d.getUTCMonth(), d.getUTCDate())).toISOString().slice(0, 10);
}

const has = (page: { items: { id: string }[] }, id: string) => page.items.some((i) => i.id === id);

for (const lane of lanes()) {
  describe(`teen protection per country [${lane}]`, () => {
    let t: TestReelm;
    const dir = mkdtempSync(join(tmpdir(), 'reelm-teen-'));
    let teen15: TestUser; // DE, 15
    let teen17: TestUser; // DE, 17, 18 tomorrow
    let us15: TestUser; // US, 15 (the default protects nobody)
    let adultFan: TestUser; // US, approved follower of teen15
    let adultStranger: TestUser; // US
    before(async () => {
      const policy = JSON.parse(readFileSync('config/policies/default.json', 'utf8'));
      policy.teenProtection = {
        default: { privateBelow: 0, protectedBelow: 0, screenTimeMinutes: 60 },
        countries: { DE: { privateBelow: 16, protectedBelow: 18, screenTimeMinutes: 40 } },
      };
      const policyFile = join(dir, 'policy.json');
      writeFileSync(policyFile, JSON.stringify(policy));
      t = await startReelm(lane, { policyFile });
      teen15 = await signUp(t, { country: 'DE', birthDate: born(15, 100) });
      teen17 = await signUp(t, { country: 'DE', birthDate: born(17, 1) });
      us15 = await signUp(t, { country: 'US', birthDate: born(15, 100) });
      adultFan = await signUp(t, { country: 'US' });
      adultStranger = await signUp(t, { country: 'US' });
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const a = () => api(t);

    test('sign-up below the country’s minimum age is refused with a clear code', async () => {
      for (const [country, birthDate] of [
        ['US', born(12, 5)],
        ['KR', born(13, 5)],
      ] as const) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/accounts',
          payload: {
            handle: `kid${country.toLowerCase()}${lane}`,
            email: `kid.${country}.${lane}@example.com`,
            password: 'correct horse battery staple',
            birthDate,
            country,
          },
        });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error.code, 'under_minimum_age');
      }
      await signUp(t, { country: 'KR', birthDate: born(14, 5) });
    });

    test('a 15-year-old in a country whose policy says so is private by default, cannot be duetted or contacted by strangers, and never appears in an adult’s For You', async () => {
      const me15 = (await a().get('/api/v1/me/settings', teen15)).json();
      assert.deepEqual(me15.teenProtection, { protected: true, privateByDefault: true });
      assert.equal(me15.isPrivate, true);
      assert.equal(me15.screenTime.dailyReminderMinutes, 40, 'the country’s screen-time default');
      const other = (await a().get('/api/v1/me/settings', us15)).json();
      assert.deepEqual([other.isPrivate, other.teenProtection.protected], [false, false], 'the same age elsewhere: no protection');
      assert.equal((await a().get('/api/v1/me/settings', teen17)).json().isPrivate, false, '17: protected but not private by default');

      const p = await postVideo(t, teen15, { caption: 'my first video #skate' });
      const usTeen = await postVideo(t, us15, { caption: 'also 15 #skate' });
      // the adult fan asks, the teen approves (a request is how anyone reaches a private teen)
      assert.equal((await a().post(`/api/v1/users/${teen15.handle}/follow`, adultFan)).json().requested, true);
      await deliver(t);
      assert.equal((await a().post(`/api/v1/me/follow-requests/${adultFan.handle}/approve`, teen15)).statusCode, 200);
      await deliver(t);
      // teen17 (another protected teen) follows too
      await a().post(`/api/v1/users/${teen15.handle}/follow`, teen17);
      await deliver(t);
      await a().post(`/api/v1/me/follow-requests/${teen17.handle}/approve`, teen15);
      await deliver(t);

      const seen = await a().get(`/api/v1/posts/${p.videoId}`, adultFan);
      assert.equal(seen.statusCode, 200, 'the approved adult follower may see the post');
      assert.equal(seen.json().allowDownload, false, 'download off');
      // never in an adult's For You — not even a follower's — while other teens and the unprotected 15-year-old elsewhere are
      for (const adult of [adultFan, adultStranger]) {
        const fy = (await a().get('/api/v1/feed/for-you?limit=50', adult)).json();
        assert.ok(!has(fy, p.videoId), `${adult.handle}: not in an adult’s For You`);
        assert.ok(has(fy, usTeen.videoId), 'the policy decides: the US 15-year-old is not protected');
      }
      assert.ok(!has((await a().get('/api/v1/feed/for-you?limit=50')).json(), p.videoId), 'nor an anonymous visitor’s');
      assert.ok(has((await a().get('/api/v1/feed/for-you?limit=50', teen17)).json(), p.videoId), 'another protected teen may be shown it');

      // no duet, even by a follower who may see it
      const clip = readFileSync(makeClip(join(dir, 'ok.mp4'), { seconds: 1, fps: 5 }));
      const m = multipart(clip, 'x.mp4', { duetOf: { videoId: p.videoId, realm: 'eu' } });
      const duet = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', payload: m.payload, headers: { ...adultFan.headers, ...m.headers } });
      assert.equal(duet.statusCode, 403, duet.body);
      assert.equal(duet.json().error.code, 'duet_not_allowed');

      // strangers cannot comment; their mentions reach nobody; a follower's do
      const c = await a().post(`/api/v1/posts/${p.videoId}/comments`, adultStranger, { body: 'hi' });
      assert.equal(c.statusCode, 404, 'a stranger cannot even see the post');
      await postVideo(t, adultStranger, { caption: `hey @${teen15.handle}` });
      await postVideo(t, adultFan, { caption: `well done @${teen15.handle}` });
      await deliver(t);
      const mentions = ((await a().get('/api/v1/me/notifications', teen15)).json().items as { kind: string; actors: { id: string }[] }[])
        .filter((n) => n.kind === 'mention')
        .flatMap((n) => n.actors.map((x) => x.id));
      assert.deepEqual(mentions, [adultFan.userId]);
    });

    test('a public 17-year-old: comments from followers only, no reuse; protections end on the 18th birthday (the task republishes)', async () => {
      const p = await postVideo(t, teen17, { caption: 'birthday soon #cake' }, { soundTitle: 'Teen tune' });
      await deliver(t);
      const us = t.reelm.realms.get('us').db;
      const row = await us.selectFrom('post_index').selectAll().where('video_id', '=', p.videoId).executeTakeFirstOrThrow();
      assert.deepEqual([row.teen_protected, row.comment_policy, row.duet_policy, row.allow_download], [1, 'followers', 'no_one', 0]);
      const c = await a().post(`/api/v1/posts/${p.videoId}/comments`, adultStranger, { body: 'hello' });
      assert.equal(c.statusCode, 403, c.body);
      assert.equal(c.json().error.code, 'comments_followers_only');
      const clip = readFileSync(makeClip(join(dir, 'ok2.mp4'), { seconds: 1, fps: 5 }));
      const neighbour = await signUp(t, { country: 'FR' }); // an adult in the teen's realm: checked at upload
      const m = multipart(clip, 'x.mp4', { sound: { id: p.soundId } });
      const reuse = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', payload: m.payload, headers: { ...neighbour.headers, ...m.headers } });
      assert.equal(reuse.statusCode, 400, reuse.body);
      assert.equal(reuse.json().error.code, 'sound_not_found', 'the sound of a protected teen is not reused');

      // today nothing changes; tomorrow (the 18th birthday) the projections lose their clamps
      const realms = [...t.reelm.policy.realms.keys()];
      assert.equal(await refreshTeenProjections(t.reelm.realms.get('eu'), realms), 0);
      assert.ok((await refreshTeenProjections(t.reelm.realms.get('eu'), realms, new Date(Date.now() + DAY))) >= 1);
      await deliver(t);
      const after18 = await us.selectFrom('post_index').selectAll().where('video_id', '=', p.videoId).executeTakeFirstOrThrow();
      assert.deepEqual([after18.teen_protected, after18.comment_policy, after18.duet_policy, after18.allow_download], [0, 'everyone', 'everyone', 1]);
      assert.ok(has((await a().get('/api/v1/feed/for-you?limit=50', adultStranger)).json(), p.videoId), 'now in adults’ For You');
    });
  });
}
