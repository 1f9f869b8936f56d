import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { FlowDeliverer } from '../../src/flows/deliverer.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { REALM_STATE_CACHE_MS, realmStatus } from '../../src/realm/lifecycle.ts';
import { countRemaining, purgeRealm, resumeRealm, startClosing, suspendRealm } from '../../src/moves/realm-lifecycle.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { reelmCli } from '../residency/cli-env.ts';

// R10 (suspend / resume) and R11 (close: tell, offer the data, purge, report zero) through the
// product's own paths: the API, the flow deliverer, the CLI in another process.

async function rowsOf(t: TestReelm, realm: string): Promise<number> {
  return (await countRemaining(t.reelm.realms.get(realm))).totalRows;
}

async function avatar(t: TestReelm, u: TestUser) {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ff8800' } })
    .png()
    .toBuffer();
  const res = await t.app.inject({
    method: 'PUT',
    url: '/api/v1/me/avatar',
    headers: { ...u.headers, 'content-type': 'application/octet-stream' },
    payload: png,
  });
  assert.equal(res.statusCode, 200, res.body);
}

for (const lane of lanes()) {
  describe(`realm lifecycle (${lane})`, () => {
    let t: TestReelm;
    const deliver = () => new FlowDeliverer(t.reelm).deliverOnce();

    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t?.close());

    test('R10: a suspended realm answers 503 realm_suspended on every endpoint, persists no write, and resumes with nothing lost', async () => {
      const us = await signUp(t, { country: 'US' });
      const eu = await signUp(t, { country: 'DE' });
      assert.equal((await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: us.headers, payload: { bio: 'before' } })).statusCode, 200);
      const rowsBefore = await rowsOf(t, 'us');

      // from another process, as an operator would: this process sees it within the cache time
      const cli = reelmCli(t, ['realm', 'suspend', 'us', '--reason', 'maintenance']);
      assert.equal(cli.status, 0, cli.stderr);
      await sleep(REALM_STATE_CACHE_MS + 100);

      for (const [method, url, payload] of [
        ['GET', '/api/v1/me', undefined],
        ['PATCH', '/api/v1/me/profile', { bio: 'during' }],
        ['GET', `/api/v1/users/${eu.handle}`, undefined],
        ['POST', `/api/v1/users/${eu.handle}/follow`, undefined],
      ] as const) {
        const res = await t.app.inject({ method, url, headers: us.headers, payload });
        assert.equal(res.statusCode, 503, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'realm_suspended');
        assert.ok(Number(res.headers['retry-after']) > 0);
      }
      // a sign-up homed there, a raw write and a person of another realm acting on a resident: nothing lands
      const signup = await t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { handle: 'latecomer', email: 'late@example.com', password: 'correct horse battery staple', birthDate: '1990-01-01', country: 'US' },
      });
      assert.equal(signup.statusCode, 503, signup.body);
      assert.equal(await t.reelm.directory.byHandle('latecomer'), undefined);
      await assert.rejects(t.reelm.realms.get('us').db.updateTable('users').set({ bio: 'raw' }).where('id', '=', us.userId).execute(), /realm_suspended/);
      const follow = await t.app.inject({ method: 'POST', url: `/api/v1/users/${us.handle}/follow`, headers: eu.headers });
      assert.ok(follow.statusCode < 300, follow.body); // stored in the follower's realm; the edge waits in its outbox
      const held = await deliver();
      assert.ok(held.pending > 0, 'the message to the suspended realm is kept, not dropped');
      assert.equal(await rowsOf(t, 'us'), rowsBefore, 'no row of the suspended realm changed');
      assert.equal((await t.app.inject({ url: '/healthz' })).statusCode, 200, 'health stays answerable');

      await resumeRealm(t.reelm, 'us');
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: us.headers });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json().bio ?? me.json().profile?.bio, 'before');
      await deliver();
      const profile = await t.app.inject({ url: `/api/v1/users/${us.handle}`, headers: us.headers });
      assert.equal(profile.json().followerCount, 1, 'the follow sent while suspended arrived after the resume');
      assert.equal((await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: us.headers, payload: { bio: 'after' } })).statusCode, 200);
    });

    test('R11: closing tells every person, keeps their data downloadable until the date, then purges to zero rows and files', async () => {
      const leaving = [await signUp(t, { country: 'BR' }), await signUp(t, { country: 'IN' })];
      const staying = await signUp(t, { country: 'FR' });
      await avatar(t, leaving[0]!);
      for (const [a, b] of [
        [staying, leaving[0]!],
        [leaving[1]!, staying],
      ] as const) {
        assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/users/${b.handle}/follow`, headers: a.headers })).statusCode, 200);
      }
      await deliver();

      const closing = await startClosing(t.reelm, 'intl', { days: 1, reason: 'market exit' });
      assert.equal(closing.state, 'closing');
      for (const p of leaving) {
        const s = await t.app.inject({ url: '/api/v1/me/realm-status', headers: p.headers });
        assert.equal(s.statusCode, 200, s.body);
        assert.equal(s.json().state, 'closing');
        assert.match(s.json().message, /Download your data/);
        assert.match(String(s.headers['reelm-realm-state']), /^closing; closes-at=/);
        // still served while closing: their own account reads
        assert.equal((await t.app.inject({ url: '/api/v1/me', headers: p.headers })).statusCode, 200);
      }
      // and they can download their data: the export is built in their realm and its link works
      const asked = await t.app.inject({ method: 'POST', url: '/api/v1/me/exports', headers: leaving[0]!.headers });
      assert.equal(asked.statusCode, 202, asked.body);
      await new Worker(t.reelm.realms.get('intl'), t.reelm.composition.jobs(t.reelm).handlers).drain();
      const listed = await t.app.inject({ url: '/api/v1/me/exports', headers: leaving[0]!.headers });
      const link = listed.json().items?.[0]?.downloadUrl ?? listed.json()[0]?.downloadUrl;
      assert.ok(link, listed.body);
      assert.equal((await t.app.inject({ url: link, headers: leaving[0]!.headers })).statusCode, 200);
      const signup = await t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { handle: 'toolate', email: 'toolate@example.com', password: 'correct horse battery staple', birthDate: '1990-01-01', country: 'BR' },
      });
      assert.equal(signup.statusCode, 403);
      assert.equal(signup.json().error.code, 'realm_closing');
      await assert.rejects(purgeRealm(t.reelm, 'intl'), /people may download their data until/);
      assert.ok((await rowsOf(t, 'intl')) > 0);

      const report = await purgeRealm(t.reelm, 'intl', { now: (closing.closesAt ?? 0) + 1 });
      assert.equal(report.state, 'closed');
      assert.equal(report.people, 2);
      assert.equal(report.totalRows, 0, JSON.stringify(report.rowsLeft));
      assert.equal(report.filesLeft, 0);
      assert.deepEqual(await countRemaining(t.reelm.realms.get('intl')), { rowsLeft: report.rowsLeft, totalRows: 0, filesLeft: 0 });
      for (const p of leaving) {
        assert.equal(await t.reelm.directory.byUserId(p.userId), undefined);
        const res = await t.app.inject({ url: '/api/v1/me', headers: p.headers });
        assert.ok(res.statusCode === 401 || res.statusCode === 410, res.body);
      }
      // the other realm keeps no edge with them, in either direction
      await deliver();
      const eu = t.reelm.realms.get('eu').db;
      assert.equal((await eu.selectFrom('follows').select('followee_id').where('follower_id', '=', staying.userId).execute()).length, 0);
      assert.equal((await eu.selectFrom('follower_edges').select('follower_id').where('followee_id', '=', staying.userId).execute()).length, 0);
      assert.equal((await realmStatus(t.reelm.realms.get('intl'), 0)).state, 'closed');
      // and running it again reaches the same end
      assert.equal((await purgeRealm(t.reelm, 'intl')).totalRows, 0);
    });

    test('R10: only an open realm can be suspended, and the state change is refused clearly otherwise', async () => {
      await assert.rejects(suspendRealm(t.reelm, 'intl'), /is closed; only an open realm/);
      await assert.rejects(suspendRealm(t.reelm, 'nowhere'), /not open in this process/);
    });
  });
}
