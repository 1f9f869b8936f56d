import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, STRONG_PASSWORD } from '../helpers/users.ts';

// Every refusal is a 4xx with a machine-readable code and a human message,
// and stores nothing.

async function countAll(t: TestReelm) {
  let users = 0;
  let files = 0;
  for (const s of t.reelm.realms.all()) {
    users += (
      await s.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    for await (const _ of s.blobs.list('')) files++;
  }
  const dir = (
    await t.reelm.directory.db
      .selectFrom('directory_accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;
  return { users: Number(users), dir: Number(dir), files };
}

const valid = { handle: 'valid_handle', email: 'valid@example.com', password: STRONG_PASSWORD, birthDate: '1990-05-05', country: 'US' };

const signUpCases: Array<[string, Record<string, unknown> | string, number, string]> = [
  ['malformed JSON', '{"handle": "x",', 400, 'malformed_json'],
  ['missing fields', { handle: 'abc_def' }, 400, 'invalid_request'],
  ['over-long handle', { ...valid, handle: 'a'.repeat(65) }, 400, 'invalid_request'],
  ['over-long bio-like display name', { ...valid, displayName: 'x'.repeat(51) }, 400, 'invalid_request'],
  ['handle with spaces', { ...valid, handle: 'has space' }, 400, 'invalid_handle'],
  ['handle too short', { ...valid, handle: 'ab' }, 400, 'invalid_handle'],
  ['handle with trailing period', { ...valid, handle: 'abc.' }, 400, 'invalid_handle'],
  ['handle with script', { ...valid, handle: '<script>' }, 400, 'invalid_handle'],
  ['reserved handle', { ...valid, handle: 'Admin' }, 400, 'handle_reserved'],
  ['invalid email', { ...valid, email: 'not-an-email' }, 400, 'invalid_email'],
  ['email without domain dot', { ...valid, email: 'a@localhost' }, 400, 'invalid_email'],
  ['short password', { ...valid, password: 'short1!' }, 400, 'weak_password'],
  ['common password', { ...valid, password: 'password1234' }, 400, 'weak_password'],
  ['password containing the handle', { ...valid, password: 'valid_handle-2024!' }, 400, 'weak_password'],
  ['under-age birth date', { ...valid, birthDate: new Date(Date.now() - 12 * 365.25 * 86400e3).toISOString().slice(0, 10) }, 400, 'under_minimum_age'],
  [
    'under-age for a stricter country (KR 14)',
    { ...valid, country: 'KR', birthDate: new Date(Date.now() - 13.5 * 365.25 * 86400e3).toISOString().slice(0, 10) },
    400,
    'under_minimum_age',
  ],
  ['impossible birth date', { ...valid, birthDate: '2001-02-30' }, 400, 'invalid_birth_date'],
  ['future birth date', { ...valid, birthDate: '2999-01-01' }, 400, 'invalid_birth_date'],
  ['unknown country', { ...valid, country: 'XX' }, 400, 'unknown_country'],
  ['non-ISO country code', { ...valid, country: 'EU' }, 400, 'unknown_country'],
];

for (const lane of lanes()) {
  describe(`bad input is refused and stores nothing [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    for (const [name, payload, status, code] of signUpCases) {
      test(`sign-up: ${name}`, async () => {
        const before = await countAll(t);
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/accounts',
          headers: { 'content-type': 'application/json' },
          payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
        });
        assert.equal(res.statusCode, status, res.body);
        const body = res.json();
        assert.equal(body.error.code, code);
        assert.ok(body.error.message.length > 10, 'a human message');
        assert.deepEqual(await countAll(t), before);
      });
    }

    test('a handle taken in another realm is refused and nothing is stored', async () => {
      await signUp(t, { handle: 'TakenOne', country: 'BR' });
      const before = await countAll(t);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { ...valid, handle: 'takenone', email: 'fresh@example.com', country: 'SE' },
      });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.code, 'handle_taken');
      assert.deepEqual(await countAll(t), before);
    });

    describe('profile edits', () => {
      const linkCases: Array<[string, string[], string]> = [
        ['javascript: link', ['javascript:alert(1)'], 'invalid_link'],
        ['http link', ['http://example.com'], 'invalid_link'],
        ['data: link', ['data:text/html,<script>alert(1)</script>'], 'invalid_link'],
        ['link with credentials', ['https://user:pw@example.com'], 'invalid_link'],
        ['link to an IP address', ['https://127.0.0.1/x'], 'invalid_link'],
        ['not a URL', ['nonsense'], 'invalid_link'],
      ];
      for (const [name, links, code] of linkCases) {
        test(`links: ${name}`, async () => {
          const p = await signUp(t);
          await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: p.headers, payload: { bio: 'kept' } });
          const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: p.headers, payload: { bio: 'changed', links } });
          assert.equal(res.statusCode, 400);
          assert.equal(res.json().error.code, code);
          const profile = (await t.app.inject({ url: `/api/v1/users/${p.handle}` })).json();
          assert.equal(profile.bio, 'kept', 'a refused edit changes nothing');
          assert.deepEqual(profile.links, []);
        });
      }

      test('more than five links', async () => {
        const p = await signUp(t);
        const res = await t.app.inject({
          method: 'PATCH',
          url: '/api/v1/me/profile',
          headers: p.headers,
          payload: { links: Array.from({ length: 6 }, (_, i) => `https://site${i}.example.com`) },
        });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error.code, 'invalid_request');
      });

      test('over-long bio', async () => {
        const p = await signUp(t);
        const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: p.headers, payload: { bio: 'x'.repeat(301) } });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error.code, 'invalid_request');
      });

      test('non-image avatar, oversized avatar, tiny avatar', async () => {
        const p = await signUp(t);
        const before = await countAll(t);
        const cases: Array<[Buffer, string, number]> = [
          [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'avatar_not_image', 400],
          [Buffer.from('just some text pretending to be a png'), 'avatar_not_image', 400],
          [Buffer.alloc(0), 'avatar_empty', 400],
          [
            await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
              .png()
              .toBuffer(),
            'avatar_dimensions',
            400,
          ],
        ];
        for (const [body, code, status] of cases) {
          const res = await t.app.inject({ method: 'PUT', url: '/api/v1/me/avatar', headers: { ...p.headers, 'content-type': 'image/png' }, payload: body });
          assert.equal(res.statusCode, status, `${code}: ${res.body}`);
          assert.equal(res.json().error.code, code);
        }
        const big = await t.app.inject({
          method: 'PUT',
          url: '/api/v1/me/avatar',
          headers: { ...p.headers, 'content-type': 'image/png' },
          payload: Buffer.alloc(6 * 1024 * 1024, 1),
        });
        assert.equal(big.statusCode, 413);
        assert.equal(big.json().error.code, 'body_too_large');
        assert.deepEqual(await countAll(t), before);
      });
    });
  });
}
