import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, STRONG_PASSWORD } from '../helpers/users.ts';

for (const lane of lanes()) {
  describe(`sessions [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    const me = (headers: Record<string, string>) => t.app.inject({ url: '/api/v1/me', headers });

    test('a bearer token works for API calls; no token or a forged one does not', async () => {
      const p = await signUp(t, { country: 'DE' });
      assert.equal((await me(p.headers)).statusCode, 200);
      const none = await me({});
      assert.equal(none.statusCode, 401);
      assert.equal(none.json().error.code, 'unauthenticated');
      const forged = p.token.slice(0, -4) + 'AAAA';
      assert.equal((await me({ authorization: `Bearer ${forged}` })).statusCode, 401);
    });

    test('tokens carry at least 128 random bits and are stored only as hashes', async () => {
      const p = await signUp(t);
      const secret = p.token.split('_').slice(2).join('_');
      assert.ok(Buffer.from(secret, 'base64url').length * 8 >= 128);
      const rows = await t.reelm.realms.get(p.realm).db.selectFrom('sessions').select('token_hash').where('user_id', '=', p.userId).execute();
      assert.equal(rows.length, 1);
      assert.notEqual(rows[0]!.token_hash, p.token);
      assert.ok(!rows[0]!.token_hash.includes(secret));
    });

    test('passwords are stored only as argon2id hashes', async () => {
      const p = await signUp(t);
      const row = await t.reelm.realms.get(p.realm).db.selectFrom('users').select('password_hash').where('id', '=', p.userId).executeTakeFirstOrThrow();
      assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.ok(!row.password_hash.includes(p.password));
    });

    test('log in with handle or email; a browser gets an HttpOnly SameSite cookie', async () => {
      const p = await signUp(t, { country: 'BR' });
      const byEmail = await t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: { login: p.email.toUpperCase(), password: p.password, session: 'bearer' },
      });
      assert.equal(byEmail.statusCode, 201, byEmail.body);
      const browser = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: `@${p.handle}`, password: p.password } });
      assert.equal(browser.statusCode, 201);
      assert.equal(browser.json().session.token, undefined, 'browsers never see the token');
      const cookie = browser.cookies.find((c) => c.name === 'reelm_session')!;
      assert.ok(cookie.httpOnly);
      assert.equal(cookie.sameSite, 'Lax');
      const viaCookie = await t.app.inject({ url: '/api/v1/me', cookies: { reelm_session: cookie.value } });
      assert.equal(viaCookie.statusCode, 200);
      assert.equal(viaCookie.json().handle, p.handle);
    });

    test('a logged-out session stops working', async () => {
      const p = await signUp(t);
      const out = await t.app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers: p.headers });
      assert.equal(out.statusCode, 204);
      assert.equal((await me(p.headers)).statusCode, 401);
    });

    test('changing the password ends every other session and keeps this one', async () => {
      const p = await signUp(t);
      const other = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: p.handle, password: p.password, session: 'bearer' } });
      const otherHeaders = { authorization: `Bearer ${other.json().session.token}` };
      assert.equal((await me(otherHeaders)).statusCode, 200);
      const wrong = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/password',
        headers: p.headers,
        payload: { currentPassword: 'not it at all', newPassword: 'a brand new passphrase' },
      });
      assert.equal(wrong.statusCode, 400);
      assert.equal(wrong.json().error.code, 'wrong_password');
      const weak = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/password',
        headers: p.headers,
        payload: { currentPassword: p.password, newPassword: 'qwerty123' },
      });
      assert.equal(weak.json().error.code, 'weak_password');
      assert.equal((await me(otherHeaders)).statusCode, 200, 'refused changes end nothing');
      const ok = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/password',
        headers: p.headers,
        payload: { currentPassword: p.password, newPassword: 'a brand new passphrase' },
      });
      assert.equal(ok.statusCode, 204);
      assert.equal((await me(otherHeaders)).statusCode, 401);
      assert.equal((await me(p.headers)).statusCode, 200);
      const oldLogin = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: p.handle, password: p.password } });
      assert.equal(oldLogin.statusCode, 401);
    });

    test('log-in attempts are rate-limited per account', async () => {
      const p = await signUp(t);
      for (let i = 0; i < 5; i++) {
        const r = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: p.handle, password: `wrong guess ${i}` } });
        assert.equal(r.statusCode, 401);
      }
      const limited = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: p.handle, password: STRONG_PASSWORD } });
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) > 0);
    });

    test('log-in attempts are rate-limited per address across accounts (credential stuffing)', async () => {
      const res: number[] = [];
      for (let i = 0; i < 32; i++) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/sessions',
          remoteAddress: '198.51.100.7',
          payload: { login: `nobody${i}`, password: 'whatever guess' },
        });
        res.push(r.statusCode);
      }
      assert.equal(res.filter((s) => s === 401).length, 30);
      assert.equal(res.at(-1), 429);
    });
  });
}
