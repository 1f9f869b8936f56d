import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { REDACT_ACTION, verifyChain } from '../../src/staff/audit-chain.ts';
import { auditPublicKey } from '../../src/staff/audit-key.ts';
import { eraseRows, finishErasure, finishPendingErasures } from '../../src/rights/deletion.ts';
import { collectPersonData, countPersonData } from '../../src/rights/person-data.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { directoryFiles, hits, realmFiles, s3Objects } from '../helpers/scan.ts';
import { signUp, STRONG_PASSWORD } from '../helpers/users.ts';
import { deliverAll, makeFullPerson, type FullPerson } from './full-person.ts';

// Account deletion end to end: the person of test/rights/full-person.ts (rows in
// every resident table, files, follows and engagement across three realms, a
// staff read) deletes their account; then every realm is checked by the
// enumerator and by a raw byte scan of its files for their canary values.

const IP = '203.0.113.199';

for (const lane of lanes()) {
  describe(`account deletion (${lane})`, () => {
    let t: TestReelm;
    let p: FullPerson;
    let second: string; // a second session of the person
    const canaries = () => ({ text: p.canary, email: `${p.canary}@canary-mail.test`, ip: IP });

    /** Every realm's files and objects holding `value`, and the directory's. */
    async function scan(value: string): Promise<string[]> {
      const found: string[] = [];
      for (const realm of t.reelm.realms.names()) found.push(...hits(await realmFiles(t, realm), value, await s3Objects(t, realm)));
      found.push(...hits(await directoryFiles(t), value));
      return found;
    }

    /** Two rounds of what the rights-sweep task runs in each realm (the second for a PostgreSQL purge a long snapshot held up). */
    async function sweep() {
      for (let round = 0; round < 2; round++) for (const store of t.reelm.realms.all()) await finishPendingErasures(t.reelm, store);
    }

    before(async () => {
      t = await startReelm(lane, { config: { http: { trustProxy: true } } });
      p = await makeFullPerson(t, { ip: IP });
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        headers: { 'x-forwarded-for': IP },
        payload: { login: p.person.email, password: p.person.password, session: 'bearer' },
      });
      assert.equal(login.statusCode, 201, login.body);
      second = login.json().session.token;
    });
    after(() => t?.close());

    test('P3: a wrong or missing password deletes nothing', async () => {
      const wrong = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: p.person.headers, payload: { password: 'not my password at all' } });
      assert.equal(wrong.statusCode, 400);
      assert.equal(wrong.json().error.code, 'wrong_password');
      const missing = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: p.person.headers, payload: {} });
      assert.equal(missing.statusCode, 400);
      assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/v1/me', payload: { password: STRONG_PASSWORD } })).statusCode, 401);
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: p.person.headers })).statusCode, 200);
    });

    test('P3: before deletion the byte scan finds the person’s canaries at home (database, blobs, log) and their public copies elsewhere (positive control)', async () => {
      const home = await realmFiles(t, p.person.realm);
      const homeObjects = await s3Objects(t, p.person.realm);
      for (const v of Object.values(canaries())) assert.ok(hits(home, v, homeObjects).length > 0, `${v} found at home`);
      const blobs = t.reelm.realms.get(p.person.realm).blobs;
      const inBlobs =
        blobs.kind === 'local'
          ? hits(
              home.filter((f) => f.startsWith(blobs.location)),
              p.canary,
            )
          : hits([], p.canary, homeObjects);
      assert.ok(inBlobs.length > 0, 'the original upload’s metadata carries the canary');
      const away = await realmFiles(t, p.friend.realm);
      assert.ok(hits(away, p.canary, await s3Objects(t, p.friend.realm)).length > 0, 'their comment copy and post projection in the friend’s realm');
    });

    test('P4, P3: DELETE /api/v1/me ends every session at once and erases every row and file of the person in the home realm before it answers', async () => {
      const res = await t.app.inject({
        method: 'DELETE',
        url: '/api/v1/me',
        headers: { ...p.person.headers, 'x-forwarded-for': IP },
        payload: { password: p.person.password },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { deleted: true, handle: p.person.handle });
      for (const token of [p.person.token, second]) {
        assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
      }
      const home = await collectPersonData(t.reelm.realms.get(p.person.realm), p.person.userId);
      assert.deepEqual(
        Object.entries(home.records).filter(([, rows]) => rows.length),
        [],
        'no row in any resident table',
      );
      assert.deepEqual(home.blobs, []);
      assert.deepEqual(home.archives, []);
      assert.equal(await t.reelm.directory.byUserId(p.person.userId), undefined, 'the directory forgot them');
      assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/users/${p.person.handle}` })).statusCode, 404);
    });

    test('P3: the deletion reaches every realm holding a public copy, counts stay exact, and the staff log is redacted by a signed entry', async () => {
      await deliverAll(t);
      await sweep();
      for (const store of t.reelm.realms.all()) {
        const left = await collectPersonData(store, p.person.userId);
        assert.deepEqual(countPersonData(left), { rows: 0, references: 0, blobs: 0, archives: 0 }, `realm ${store.name}: ${JSON.stringify(left.references)}`);
        assert.equal((await store.db.selectFrom('account_deletions').selectAll().execute()).length, 0, `realm ${store.name} finished`);
        const pending = await store.db.selectFrom('flow_outbox').select('id').where('payload', 'like', `%${p.person.userId}%`).execute();
        assert.equal(pending.length, 0, `realm ${store.name} keeps no flow payload naming them`);
      }
      const friend = (await t.app.inject({ method: 'GET', url: `/api/v1/users/${p.friend.handle}` })).json();
      assert.equal(friend.followerCount, 0);
      assert.equal(friend.followingCount, 0);
      const post = (await t.app.inject({ method: 'GET', url: `/api/v1/posts/${p.friendVideoId}`, headers: p.friend.headers })).json();
      assert.equal(post.likeCount ?? post.stats?.likes ?? post.counts?.likes, 0, JSON.stringify(post));
      const home = t.reelm.realms.get(p.person.realm);
      const report = await verifyChain(home, auditPublicKey(t.reelm.auditKey.publicKeyId));
      assert.deepEqual(report.problems, []);
      assert.equal(report.redacted, 2, 'their entries: the support read and the moderator’s action on their video');
      const last = await home.db.selectFrom('staff_access_log').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();
      assert.equal(last.action, REDACT_ACTION);
    });

    test('P3: after deletion a raw byte scan of every realm’s database files (WAL and free pages included), blob store and logs, and of the directory, finds none of the person’s canaries', async () => {
      for (const [what, v] of Object.entries(canaries())) assert.deepEqual(await scan(v), [], `the deleted person’s ${what} (${v}) remains`);
    });

    test('P3: a deletion interrupted after its transaction is finished by the sweep, and the handle is free again', async () => {
      const q = await makeFullPerson(t, { country: 'FR', friendCountry: 'US', blockedCountry: 'JP' });
      const store = t.reelm.realms.get(q.person.realm);
      // the crash: the transaction committed, nothing after it ran
      await store.db.transaction().execute((trx) => eraseRows(t.reelm, store, trx, q.person.userId));
      const mid = await collectPersonData(store, q.person.userId);
      assert.equal(countPersonData(mid).rows, 0);
      assert.ok(mid.blobs.length > 0, 'files are still there after the crash');
      assert.ok(await t.reelm.directory.byUserId(q.person.userId));
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: q.person.headers })).statusCode,
        401,
        'P4: sessions ended in the transaction',
      );
      await deliverAll(t);
      await sweep();
      const end = await collectPersonData(store, q.person.userId);
      assert.deepEqual(countPersonData(end), { rows: 0, references: 0, blobs: 0, archives: 0 });
      assert.equal(await t.reelm.directory.byUserId(q.person.userId), undefined);
      assert.equal(await finishErasure(t.reelm, store, q.person.userId), 'not_found', 'running it again is a no-op');
      for (const s of t.reelm.realms.all()) assert.equal(countPersonData(await collectPersonData(s, q.person.userId)).references, 0, s.name);
      for (const v of [q.canary, `${q.canary}@canary-mail.test`]) assert.deepEqual(await scan(v), [], v);
      const again = await signUp(t, { handle: q.person.handle, country: 'DE' });
      assert.equal(again.handle, q.person.handle, 'the handle is freed');
    });
  });
}
