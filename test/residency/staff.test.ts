import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { redactSubject, verifyChain } from '../../src/staff/audit-chain.ts';
import { auditPublicKey } from '../../src/staff/audit-key.ts';
import { addStaff } from '../../src/staff/staff.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { countRows } from './residents.ts';
import { reelmCli } from './cli-env.ts';

for (const lane of lanes()) {
  describe(`staff access and the audit chain (${lane})`, () => {
    let t: TestReelm;
    let eva: TestUser; // eu, operator global
    let sam: TestUser; // us, operator atlantic
    let support: { headers: { authorization: string }; id: string };
    const read = (headers: Record<string, string>, body: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/staff/reads', headers, payload: body });
    const justification = 'Ticket 4711: the person asked why they cannot log in';
    // Verification needs only the public key.
    const pub = () => auditPublicKey(t.reelm.auditKey.publicKeyId);

    before(async () => {
      t = await startReelm(lane);
      eva = await signUp(t, { country: 'NL', email: `eva.${lane}@canary-staff.test` });
      sam = await signUp(t, { country: 'US' });
      const s = await addStaff(t.reelm, { operator: 'global', name: 'Gina Support', role: 'support' });
      assert.deepEqual(s.realms.sort(), ['eu', 'intl']);
      support = { id: s.staff.id, headers: { authorization: `Bearer ${s.token}` } };
    });
    after(() => t.close());

    test(`R12: a staff read without a justification is refused and leaves no trace of data (${lane})`, async () => {
      for (const body of [
        { userId: eva.userId },
        { userId: eva.userId, justification: '   ' },
        { userId: eva.userId, justification: 'because' },
        { userId: eva.userId, justification: 'aaaaaaaaaa' },
        { userId: eva.userId, justification: 'aaaa aaaa aaaa aaaa' },
      ]) {
        const res = await read(support.headers, body);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error.code, 'justification_required');
        assert.ok(!res.body.includes(eva.email));
      }
      assert.equal(await countRows(t.reelm.realms.get('eu'), 'staff_access_log'), 0);
      assert.equal((await read({}, { userId: eva.userId, justification })).statusCode, 401);
    });

    test(`R12: with a justification the read is appended to the person's realm chain, and the person sees it (${lane})`, async () => {
      const res = await read(support.headers, { handle: eva.handle, justification });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().email, eva.email);
      const log = (await t.app.inject({ method: 'GET', url: '/api/v1/me/access-log', headers: eva.headers })).json();
      assert.equal(log.entries.length, 1);
      assert.equal(log.entries[0].staffName, 'Gina Support');
      assert.equal(log.entries[0].operator, 'global');
      assert.equal(log.entries[0].justification, justification);
      assert.ok(log.entries[0].fields.includes('email'));
      // Stored in eu, the person's realm, not elsewhere.
      assert.equal(await countRows(t.reelm.realms.get('eu'), 'staff_access_log'), 1);
      assert.equal(await countRows(t.reelm.realms.get('intl'), 'staff_access_log'), 0);
      assert.equal(await countRows(t.reelm.realms.get('us'), 'staff_access_log'), 0);
      // Another person sees none of it.
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me/access-log', headers: sam.headers })).json().entries.length, 0);
    });

    test(`R12: staff of one operator cannot read realms of another operator; moderators cannot read account data (${lane})`, async () => {
      const cross = await read(support.headers, { userId: sam.userId, justification });
      assert.equal(cross.statusCode, 403);
      assert.equal(cross.json().error.code, 'other_operator');
      const atl = await addStaff(t.reelm, { operator: 'atlantic', name: 'Al Admin', role: 'administrator' });
      assert.deepEqual(atl.realms, ['us']);
      const cross2 = await read({ authorization: `Bearer ${atl.token}` }, { userId: eva.userId, justification });
      assert.equal(cross2.statusCode, 403);
      assert.equal(cross2.json().error.code, 'other_operator');
      assert.ok(!cross.body.includes(sam.email) && !cross2.body.includes(eva.email));
      // Another operator's staff are not even stored in this operator's realms.
      assert.equal((await t.reelm.realms.get('eu').db.selectFrom('staff').select('id').where('id', '=', atl.staff.id).execute()).length, 0);
      const mod = await addStaff(t.reelm, { operator: 'global', name: 'Mo Mod', role: 'moderator' });
      const modRead = await read({ authorization: `Bearer ${mod.token}` }, { userId: eva.userId, justification });
      assert.equal(modRead.statusCode, 403);
      assert.equal(modRead.json().error.code, 'role_not_allowed');
      assert.equal(await countRows(t.reelm.realms.get('us'), 'staff_access_log'), 0);
      assert.equal(await countRows(t.reelm.realms.get('eu'), 'staff_access_log'), 1);
    });

    test(`R12: the person sees where their data lives: realm, operator, stores (${lane})`, async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/me/residency', headers: eva.headers });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.realm.name, 'eu');
      assert.equal(body.operator.id, 'global');
      assert.equal((body.stores.database as { kind: string }).kind, lane);
      assert.ok(body.stores.blobs && body.stores.queue && body.stores.searchIndex && body.stores.logs && body.stores.exports);
      assert.ok(!res.body.includes('password') && !res.body.includes('reelm:reelm'), 'no credentials shown');
    });

    test(`R12: \`reelm audit-log verify\` detects an edit, a deleted middle entry and deleted newest entries (${lane})`, async () => {
      const eu = t.reelm.realms.get('eu');
      for (let i = 0; i < 3; i++) assert.equal((await read(support.headers, { userId: eva.userId, justification: `${justification} (${i})` })).statusCode, 200);
      assert.deepEqual((await verifyChain(eu, pub())).problems, []);
      const ok = reelmCli(t, ['audit-log', 'verify']);
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /ok\s+realm eu: 4 entries/);

      // 1. An edit of a justification.
      await sql`update staff_access_log set justification = 'routine check' where seq = 2`.execute(eu.db);
      let r = await verifyChain(eu, pub());
      assert.ok(
        r.problems.some((p) => /entry 2 was edited/.test(p)),
        r.problems.join('; '),
      );
      const broken = reelmCli(t, ['audit-log', 'verify', '--json']);
      assert.equal(broken.status, 1);
      assert.equal(JSON.parse(broken.stdout).ok, false);
      await sql`update staff_access_log set justification = ${`${justification} (0)`} where seq = 2`.execute(eu.db);
      assert.deepEqual((await verifyChain(eu, pub())).problems, []);

      // 2. Deleting a middle entry.
      const saved = await eu.db.selectFrom('staff_access_log').selectAll().where('seq', '=', 3).executeTakeFirstOrThrow();
      await eu.db.deleteFrom('staff_access_log').where('seq', '=', 3).execute();
      r = await verifyChain(eu, pub());
      assert.ok(
        r.problems.some((p) => /entry 3 is missing/.test(p)),
        r.problems.join('; '),
      );
      await eu.db.insertInto('staff_access_log').values(saved).execute();

      // 3. Deleting the newest entry, even with the head row rewound to match.
      const last = await eu.db.selectFrom('staff_access_log').selectAll().where('seq', '=', 4).executeTakeFirstOrThrow();
      await eu.db.deleteFrom('staff_access_log').where('seq', '=', 4).execute();
      r = await verifyChain(eu, pub());
      assert.ok(
        r.problems.some((p) => /newest entries deleted/.test(p)),
        r.problems.join('; '),
      );
      await eu.db.updateTable('audit_chain_head').set({ seq: 3, hash: saved.hash }).execute();
      r = await verifyChain(eu, pub());
      assert.ok(
        r.problems.some((p) => /realm log witnessed entry 4/.test(p)),
        r.problems.join('; '),
      );
      assert.equal(reelmCli(t, ['audit-log', 'verify']).status, 1);
      await eu.db.insertInto('staff_access_log').values(last).execute();
      await eu.db.updateTable('audit_chain_head').set({ seq: 4, hash: last.hash }).execute();
      assert.deepEqual((await verifyChain(eu, pub())).problems, []);
    });

    test(`R12: when a person leaves the realm their entries are redacted by a signed redaction entry and the chain still verifies (${lane})`, async () => {
      const eu = t.reelm.realms.get('eu');
      const before = await verifyChain(eu, pub());
      assert.ok(before.entries > 0);
      // Refused while the person still lives here.
      await assert.rejects(
        eu.db.transaction().execute((trx) => redactSubject(eu, trx, t.reelm.auditKey, eva.userId)),
        /still lives in realm eu/,
      );
      assert.deepEqual(await verifyChain(eu, pub()), before);
      // The person leaves (their rows go) and their entries are redacted in the same transaction.
      const seqs = await eu.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('users').where('id', '=', eva.userId).execute();
        return redactSubject(eu, trx, t.reelm.auditKey, eva.userId);
      });
      assert.equal(seqs.length, before.entries);
      const after = await verifyChain(eu, pub());
      assert.deepEqual(after.problems, []);
      assert.equal(after.redacted, before.entries);
      assert.equal(after.entries, before.entries + 1, 'the redaction is itself an entry');
      const dump = JSON.stringify(await eu.db.selectFrom('staff_access_log').selectAll().execute());
      assert.ok(!dump.includes(eva.userId) && !dump.includes(justification), 'no trace of the person or the reason remains');
      // Forging a redacted entry's hashes is still caught.
      await sql`update staff_access_log set content_hash = 'x' where seq = 1`.execute(eu.db);
      assert.ok((await verifyChain(eu, pub())).problems.length > 0);
    });
  });
}
