import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from '../../src/jobs/worker.ts';
import { ResidencyPolicy, PolicyError } from '../../src/residency/policy.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, STRONG_PASSWORD } from '../helpers/users.ts';

// The policy switches the service off for a country (a market exit); the country is the one the
// edge proxy reports in the configured header. People there get 451 country_unavailable (a page
// for a browser) and can still log in and reach their account and their data.

const dir = mkdtempSync(join(tmpdir(), 'reelm-policy-'));
const policyFile = join(dir, 'hk-off.json');
const base = JSON.parse(readFileSync('config/policies/default.json', 'utf8'));
writeFileSync(policyFile, JSON.stringify({ ...base, unavailableCountries: { HK: {} } }));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the policy refuses a switched-off code that is not a country', () => {
  assert.throws(() => new ResidencyPolicy({ ...base, unavailableCountries: { XX: {} } }), PolicyError);
  assert.deepEqual(new ResidencyPolicy({ ...base, unavailableCountries: { HK: { message: 'Gone.' } } }).unavailableIn('hk'), { message: 'Gone.' });
  assert.equal(new ResidencyPolicy(base).unavailableIn('HK'), undefined);
});

for (const lane of lanes()) {
  describe(`country availability (${lane})`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane, { policyFile, config: { moves: { countryHeader: 'X-Reelm-Country' } } });
    });
    after(() => t?.close());

    test('requests from a switched-off country get 451 country_unavailable, except logging in and taking one’s data', async () => {
      const p = await signUp(t, { country: 'SG' });
      const hk = { ...p.headers, 'x-reelm-country': 'HK' };
      for (const url of ['/api/v1/feed/following', `/api/v1/users/${p.handle}`, '/api/v1/me/realm-status']) {
        const res = await t.app.inject({ url, headers: hk });
        assert.equal(res.statusCode, 451, `${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'country_unavailable');
        assert.match(res.json().error.message, /not available in Hong Kong.*download your data/);
      }
      const write = await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: hk, payload: { bio: 'x' } });
      assert.equal(write.statusCode, 451);
      // what they need to leave with their data stays open
      assert.equal((await t.app.inject({ url: '/api/v1/me', headers: hk })).statusCode, 200);
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        headers: { 'x-reelm-country': 'HK' },
        payload: { login: p.email, password: p.password, session: 'bearer' },
      });
      assert.equal(login.statusCode, 201, login.body);
      // and take their data with them: ask for the archive, then fetch it by its link
      const asked = await t.app.inject({ method: 'POST', url: '/api/v1/me/exports', headers: hk });
      assert.equal(asked.statusCode, 202, asked.body);
      await new Worker(t.reelm.realms.get(p.realm), t.reelm.composition.jobs(t.reelm).handlers).drain();
      const listed = await t.app.inject({ url: '/api/v1/me/exports', headers: hk });
      assert.equal(listed.statusCode, 200, listed.body);
      const link = listed.json().items?.[0]?.downloadUrl ?? listed.json()[0]?.downloadUrl;
      assert.ok(link, listed.body);
      assert.equal((await t.app.inject({ url: link, headers: hk })).statusCode, 200);
      // the same person from elsewhere is served as usual
      assert.equal((await t.app.inject({ url: `/api/v1/users/${p.handle}`, headers: { ...p.headers, 'x-reelm-country': 'SG' } })).statusCode, 200);
    });

    test('a browser gets a page saying so, and sign-ups naming that country are refused from anywhere', async () => {
      const page = await t.app.inject({ url: '/', headers: { accept: 'text/html', 'x-reelm-country': 'hk' } });
      assert.equal(page.statusCode, 451);
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.match(page.body, /not available in Hong Kong/);
      const signup = await t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { handle: 'hkperson', email: 'hk@example.com', password: STRONG_PASSWORD, birthDate: '1990-01-01', country: 'HK' },
      });
      assert.equal(signup.statusCode, 451, signup.body);
      assert.equal(signup.json().error.code, 'country_unavailable');
      assert.equal(await t.reelm.directory.byHandle('hkperson'), undefined);
    });
  });
}

describe('country header trust', () => {
  let t: TestReelm;
  before(async () => {
    t = await startReelm('sqlite', { policyFile }); // no countryHeader configured
  });
  after(() => t?.close());

  test('without a configured header, a client-sent country header is ignored', async () => {
    const p = await signUp(t, { country: 'SG' });
    const res = await t.app.inject({ url: `/api/v1/users/${p.handle}`, headers: { ...p.headers, 'x-reelm-country': 'HK' } });
    assert.equal(res.statusCode, 200, res.body);
  });
});
