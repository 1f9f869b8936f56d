import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, STRONG_PASSWORD } from '../helpers/users.ts';

for (const lane of lanes()) {
  describe(`accounts and home realms [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test('people from three countries are stored only in their home realm', async () => {
      const us = await signUp(t, { country: 'US' });
      const de = await signUp(t, { country: 'DE' });
      const br = await signUp(t, { country: 'BR' });
      assert.deepEqual([us.realm, de.realm, br.realm], ['us', 'eu', 'intl']);
      for (const person of [us, de, br]) {
        for (const store of t.reelm.realms.all()) {
          const users = await store.db.selectFrom('users').select('id').where('id', '=', person.userId).execute();
          const sessions = await store.db.selectFrom('sessions').select('id').where('user_id', '=', person.userId).execute();
          const expected = store.name === person.realm ? 1 : 0;
          assert.equal(users.length, expected, `${person.handle} users rows in ${store.name}`);
          assert.equal(sessions.length, expected, `${person.handle} sessions rows in ${store.name}`);
        }
      }
    });

    test('the home realm is shown before sign-up and in settings', async () => {
      const pre = await t.app.inject({ url: '/api/v1/realms/home?country=fr' });
      assert.equal(pre.statusCode, 200);
      assert.equal(pre.json().name, 'eu');
      assert.equal(pre.json().operator, 'Reelm Global B.V.');
      const p = await signUp(t, { country: 'FR' });
      const me = await t.app.inject({ url: '/api/v1/me', headers: p.headers });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().homeRealm.name, 'eu');
      assert.equal(me.json().email, p.email);
    });

    test('handles are unique across realms, ignoring case', async () => {
      await signUp(t, { handle: 'DanceQueen', country: 'US' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { handle: 'dancequeen', email: 'other@example.com', password: STRONG_PASSWORD, birthDate: '1990-01-01', country: 'DE', session: 'bearer' },
      });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.code, 'handle_taken');
      const eu = t.reelm.realms.get('eu');
      assert.equal((await eu.db.selectFrom('users').select('id').where('email', '=', 'other@example.com').execute()).length, 0);
    });

    test('emails are normalised and unique', async () => {
      await signUp(t, { email: 'Mixed.Case@Example.COM', country: 'US' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { handle: 'someone_else', email: '  mixed.case@example.com ', password: STRONG_PASSWORD, birthDate: '1990-01-01', country: 'JP' },
      });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.code, 'email_taken');
    });
  });
}
