import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { deviceOf } from '../../src/accounts/sessions.ts';

// Settings → Sessions: GET /api/v1/me/sessions, DELETE /api/v1/me/sessions/{id}, DELETE /api/v1/me/sessions/others.

const FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

for (const lane of lanes()) {
  describe(`session list [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    const me = (headers: Record<string, string>) => t.app.inject({ url: '/api/v1/me', headers });
    async function logInFrom(p: TestUser, userAgent: string) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        headers: { 'user-agent': userAgent },
        payload: { login: p.handle, password: p.password, session: 'bearer' },
      });
      assert.equal(r.statusCode, 201, r.body);
      return { authorization: `Bearer ${r.json().session.token}` };
    }
    const list = async (headers: Record<string, string>) => {
      const r = await t.app.inject({ url: '/api/v1/me/sessions', headers });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().items as { id: string; device: string; userAgent: string | null; current: boolean; createdAt: string; lastUsedAt: string }[];
    };

    test('lists my live sessions with device, times and the current flag, and no token material', async () => {
      const p = await signUp(t, { country: 'FR' });
      const phone = await logInFrom(p, FIREFOX_ANDROID);
      await logInFrom(p, SAFARI_IPHONE);
      const items = await list(phone);
      assert.equal(items.length, 3);
      assert.deepEqual(
        items.filter((s) => s.current).map((s) => s.device),
        ['Firefox on Android'],
      );
      assert.deepEqual(items.map((s) => s.device).sort(), ['An app or script (API token)', 'Firefox on Android', 'Safari on iOS'].sort());
      for (const s of items) {
        assert.ok(Date.parse(s.createdAt) > 0 && Date.parse(s.lastUsedAt) >= Date.parse(s.createdAt));
        assert.deepEqual(Object.keys(s).sort(), ['createdAt', 'current', 'device', 'expiresAt', 'id', 'kind', 'lastUsedAt', 'userAgent']);
      }
      const hashes = await t.reelm.realms.get(p.realm).db.selectFrom('sessions').select('token_hash').where('user_id', '=', p.userId).execute();
      const body = (await t.app.inject({ url: '/api/v1/me/sessions', headers: phone })).body;
      for (const h of hashes) assert.ok(!body.includes(h.token_hash), 'a token hash in the list');
      assert.ok(!body.includes(phone.authorization.slice(7)), 'a token in the list');
      assert.ok(!body.includes('rlm_'), 'token material in the list');
      // someone else's sessions never show
      const other = await signUp(t);
      assert.equal((await list(other.headers)).length, 1);
      assert.equal((await t.app.inject({ url: '/api/v1/me/sessions' })).statusCode, 401);
    });

    test('ends one device; it stops working, the others keep working; not mine is a 404', async () => {
      const p = await signUp(t, { country: 'US' });
      const phone = await logInFrom(p, FIREFOX_ANDROID);
      const laptop = await logInFrom(p, SAFARI_IPHONE);
      const target = (await list(phone)).find((s) => s.device === 'Safari on iOS')!;
      const stranger = await signUp(t, { country: 'US' });
      const theirs = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${target.id}`, headers: stranger.headers });
      assert.equal(theirs.statusCode, 404);
      assert.equal(theirs.json().error.code, 'not_found');
      assert.equal((await me(laptop)).statusCode, 200, 'a stranger ended nothing');
      const end = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${target.id}`, headers: phone });
      assert.equal(end.statusCode, 204);
      assert.equal((await me(laptop)).statusCode, 401);
      assert.equal((await me(phone)).statusCode, 200);
      assert.equal((await me(p.headers)).statusCode, 200);
      assert.ok(!(await list(phone)).some((s) => s.id === target.id));
      const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${target.id}`, headers: phone });
      assert.equal(again.statusCode, 404);
      const bad = await t.app.inject({ method: 'DELETE', url: '/api/v1/me/sessions/NOT-AN-ID!', headers: phone });
      assert.equal(bad.statusCode, 400);
      assert.ok(bad.json().error.message);
    });

    test('log out everywhere else keeps only this session', async () => {
      const p = await signUp(t, { country: 'BR' });
      const phone = await logInFrom(p, FIREFOX_ANDROID);
      const laptop = await logInFrom(p, SAFARI_IPHONE);
      const r = await t.app.inject({ method: 'DELETE', url: '/api/v1/me/sessions/others', headers: phone });
      assert.equal(r.statusCode, 204);
      assert.equal((await me(laptop)).statusCode, 401);
      assert.equal((await me(p.headers)).statusCode, 401);
      assert.equal((await me(phone)).statusCode, 200);
      const items = await list(phone);
      assert.equal(items.length, 1);
      assert.ok(items[0]!.current);
    });

    test('ending the current session by id logs this device out and clears the cookie', async () => {
      const p = await signUp(t);
      const login = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: p.handle, password: p.password } });
      const cookie = { reelm_session: login.cookies.find((c) => c.name === 'reelm_session')!.value };
      const mine = (await t.app.inject({ url: '/api/v1/me/sessions', cookies: cookie })).json().items.find((s: { current: boolean }) => s.current);
      assert.equal(mine.kind, 'cookie');
      const end = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${mine.id}`, cookies: cookie });
      assert.equal(end.statusCode, 204);
      assert.equal(end.cookies.find((c) => c.name === 'reelm_session')?.value, '');
      assert.equal((await t.app.inject({ url: '/api/v1/me', cookies: cookie })).statusCode, 401);
    });
  });
}

test('device summaries name the browser and the system', () => {
  assert.equal(deviceOf(FIREFOX_ANDROID, 'cookie'), 'Firefox on Android');
  assert.equal(deviceOf(SAFARI_IPHONE, 'cookie'), 'Safari on iOS');
  assert.equal(
    deviceOf('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0', 'cookie'),
    'Edge on Windows',
  );
  assert.equal(deviceOf('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36', 'cookie'), 'Chrome on Linux');
  assert.equal(deviceOf(null, 'bearer'), 'An app or script (API token)');
  assert.equal(deviceOf(null, 'cookie'), 'Unknown browser');
});
