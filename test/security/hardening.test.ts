import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';

// Hardening that applies to every route: CSRF for cookie sessions, security headers,
// slow-body timeouts, and names cleaned of characters that disguise text.
// (No store is involved beyond the embedded one, so one lane suffices.)

describe('hardening', () => {
  let t: TestReelm;
  let cookie: string;
  before(async () => {
    t = await startReelm('sqlite');
    const p = await signUp(t, { country: 'US' });
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: p.handle, password: p.password } });
    cookie = login.cookies.find((c) => c.name === 'reelm_session')!.value;
  });
  after(() => t.close());

  const patchName = (headers: Record<string, string>) =>
    t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', cookies: { reelm_session: cookie }, headers, payload: { bio: 'hello' } });

  test('a cookie-authenticated change from another site is refused (Origin or Sec-Fetch-Site)', async () => {
    const foreign = await patchName({ origin: 'https://evil.example' });
    assert.equal(foreign.statusCode, 403, foreign.body);
    assert.equal(foreign.json().error.code, 'cross_site_request');
    const fetchSite = await patchName({ 'sec-fetch-site': 'cross-site' });
    assert.equal(fetchSite.statusCode, 403);
    const nullOrigin = await patchName({ origin: 'null' });
    assert.equal(nullOrigin.statusCode, 403);
  });

  test('the same change from Reelm’s own pages, or with a bearer token, goes through', async () => {
    const same = await patchName({ origin: 'http://localhost:80', host: 'localhost:80', 'sec-fetch-site': 'same-origin' });
    assert.equal(same.statusCode, 200, same.body);
    const p = await signUp(t, { country: 'US' });
    const bearer = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me/profile',
      headers: { ...p.headers, origin: 'https://client.example' },
      payload: { bio: 'x' },
    });
    assert.equal(bearer.statusCode, 200, 'a bearer token is never ambient, so other origins may use it');
  });

  test('log-in from another site is refused (log-in CSRF)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { origin: 'https://evil.example' },
      payload: { login: 'whoever', password: 'whatever12345' },
    });
    assert.equal(res.statusCode, 403);
  });

  test('every response carries nosniff, a referrer policy and a content security policy', async () => {
    for (const url of ['/healthz', '/api/v1/me', '/nope', '/api/openapi.json']) {
      const res = await t.app.inject({ url, cookies: { reelm_session: cookie } });
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin', url);
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, url);
    }
    const json = await t.app.inject({ url: '/healthz' });
    assert.match(String(json.headers['content-security-policy']), /default-src 'none'/, 'data responses render nothing');
  });

  test('display names and bios lose control and bidi-override characters', async () => {
    const p = await signUp(t, { country: 'US', displayName: 'Eve\u202eresU' });
    const me = await t.app.inject({ url: '/api/v1/me', headers: p.headers });
    assert.equal(me.json().displayName, 'EveresU');
    const edit = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me/profile',
      headers: p.headers,
      payload: { displayName: 'Bad\u0007\u2066Name\nTwo', bio: 'line one\nline\u202e two\u0000' },
    });
    assert.equal(edit.statusCode, 200, edit.body);
    assert.equal(edit.json().displayName, 'BadName Two');
    assert.equal(edit.json().bio, 'line one\nline two');
  });
});

describe('slow bodies', () => {
  test('a body trickled in is cut off at the request timeout', async () => {
    const t = await startReelm('sqlite', { config: { http: { requestTimeoutMs: 1500 } } });
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as AddressInfo;
      const started = Date.now();
      const closedAfter = await new Promise<number>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => {
          s.write('POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
          const drip = setInterval(() => s.write(' '), 500);
          s.on('close', () => {
            clearInterval(drip);
            resolve(Date.now() - started);
          });
        });
        s.on('error', () => {});
        setTimeout(() => reject(new Error('connection still open after 15 s')), 15_000);
      });
      assert.ok(closedAfter < 15_000, `closed after ${closedAfter} ms`);
    } finally {
      await t.close();
    }
  });
});
