import assert from 'node:assert/strict';
import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { loadConfig, openReelm } from '../../src/composition.ts';
import { realmLogPath } from '../../src/residency/realm-log.ts';
import { headSignatureValid, verifyChain, type SignedHead } from '../../src/staff/audit-chain.ts';
import { auditPublicKey, publicKeyId, signText } from '../../src/staff/audit-key.ts';
import { addStaff } from '../../src/staff/staff.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { reelmCli } from './cli-env.ts';

// Attacks on the staff access log by someone holding the realm's database and
// data directory (but not the audit signing key, which lives elsewhere).

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

for (const lane of lanes()) {
  describe(`access log tampering (${lane})`, () => {
    let t: TestReelm;
    let eva: TestUser; // eu
    let staffToken: string;
    const why = 'Ticket 5150: the person asked about a failed log-in';
    const read = (body: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/staff/reads', headers: { authorization: `Bearer ${staffToken}` }, payload: body });
    const pub = () => auditPublicKey(t.reelm.auditKey.publicKeyId);
    const head = async (): Promise<SignedHead> => (await t.app.inject({ method: 'GET', url: '/api/v1/realms/eu/audit-head' })).json();

    before(async () => {
      t = await startReelm(lane);
      eva = await signUp(t, { country: 'DE' });
      staffToken = (await addStaff(t.reelm, { operator: 'global', name: 'Tess Support', role: 'support' })).token;
      for (let i = 0; i < 3; i++) assert.equal((await read({ userId: eva.userId, justification: `${why} (${i})` })).statusCode, 200);
    });
    after(() => t.close());

    test(`R12: a meaningless justification is refused, and before the handle is looked up: unknown and known handles answer alike (${lane})`, async () => {
      for (const justification of ['aaaaaaaaaa', 'x x x x x x', 'because because because', undefined]) {
        const known = await read({ handle: eva.handle, justification });
        const unknown = await read({ handle: 'nobody_has_this', justification });
        assert.equal(known.statusCode, 400, known.body);
        assert.deepEqual(unknown.json(), known.json());
        assert.equal(unknown.statusCode, known.statusCode);
      }
      assert.equal((await read({ handle: 'nobody_has_this', justification: why })).statusCode, 404);
      // A moderator (who may not read account data) cannot tell either.
      const mod = (await addStaff(t.reelm, { operator: 'global', name: 'Mo Mod', role: 'moderator' })).token;
      const asMod = (handle: string) =>
        t.app.inject({ method: 'POST', url: '/api/v1/staff/reads', headers: { authorization: `Bearer ${mod}` }, payload: { handle, justification: why } });
      const [modKnown, modUnknown] = [await asMod(eva.handle), await asMod('nobody_has_this')];
      assert.equal(modKnown.statusCode, 403);
      assert.deepEqual([modUnknown.statusCode, modUnknown.json()], [modKnown.statusCode, modKnown.json()]);
      assert.equal((await read({ handle: eva.handle, justification: 'SUP-2231' })).statusCode, 200, 'a ticket reference is enough');
    });

    test(`R12: blanking an entry by hand (a fake redaction) fails verification (${lane})`, async () => {
      const eu = t.reelm.realms.get('eu');
      assert.deepEqual((await verifyChain(eu, pub())).problems, []);
      const saved = await eu.db.selectFrom('staff_access_log').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
      await sql`update staff_access_log set staff_id = null, staff_name = null, staff_role = null, operator = null, subject_id = null, action = null, fields = null, justification = null, redacted_at = ${Date.now()} where seq = 2`.execute(
        eu.db,
      );
      const r = await verifyChain(eu, pub());
      assert.ok(
        r.problems.some((p) => /entry 2 was blanked without a signed redaction entry/.test(p)),
        r.problems.join('; '),
      );
      assert.equal(reelmCli(t, ['audit-log', 'verify']).status, 1);
      await eu.db.updateTable('staff_access_log').set(saved).where('seq', '=', 2).execute();
      assert.deepEqual((await verifyChain(eu, pub())).problems, []);
    });

    test(`R12: re-chaining an edited entry with everything in the data directory fails: entries are signed with a key kept elsewhere (${lane})`, async () => {
      const eu = t.reelm.realms.get('eu');
      const rows = await eu.db.selectFrom('staff_access_log').selectAll().orderBy('seq').execute();
      const secretKey = createHmac('sha256', t.reelm.secret).update('reelm-audit-chain-v1').digest();
      // Rewrite entry 1's reason and recompute every hash after it (the attacker knows the formula and holds secret.key).
      let prev = 'genesis';
      for (const r of rows) {
        const justification = Number(r.seq) === 1 ? 'routine check' : r.justification;
        const content = JSON.stringify([
          Number(r.seq),
          r.id,
          Number(r.at),
          r.staff_id,
          r.staff_name,
          r.staff_role,
          r.operator,
          r.subject_id,
          r.action,
          r.fields,
          justification,
        ]);
        const content_hash = sha256(content);
        const hash = sha256(`${prev}\n${content_hash}`);
        const signature = createHmac('sha256', secretKey).update(hash).digest('base64url');
        await eu.db.updateTable('staff_access_log').set({ justification, content_hash, prev_hash: prev, hash, signature }).where('seq', '=', r.seq).execute();
        prev = hash;
      }
      await eu.db.updateTable('audit_chain_head').set({ hash: prev }).execute();
      const r = await verifyChain(eu, pub());
      assert.ok(
        r.problems.some((p) => /entry 1 is not signed by the realm's audit key/.test(p)),
        r.problems.join('; '),
      );
      assert.ok(!r.problems.some((p) => /edited|forged/.test(p)), 'the hashes themselves were recomputed correctly');
      for (const row of rows) await eu.db.updateTable('staff_access_log').set(row).where('seq', '=', row.seq).execute();
      await eu.db
        .updateTable('audit_chain_head')
        .set({ hash: rows.at(-1)!.hash })
        .execute();
      assert.deepEqual((await verifyChain(eu, pub())).problems, []);
    });

    test(`R12: the signing key cannot be kept in the data directory (${lane})`, async () => {
      const inData = join(t.dataDir, 'audit-signing-key.pem');
      writeFileSync(inData, readFileSync(t.config.audit.signingKeyFile!));
      await assert.rejects(openReelm(loadConfig({}, { ...t.config, audit: { signingKeyFile: inData } })), /inside the data directory/);
      const cli = reelmCli(t, ['audit-log', 'verify']);
      assert.equal(cli.status, 0, cli.stdout + cli.stderr);
    });

    test(`R12: a saved signed head catches truncation that rewinds the head row and the realm log; the person sees the head their entries chain to (${lane})`, async () => {
      const eu = t.reelm.realms.get('eu');
      const published = await head();
      assert.ok(headSignatureValid(published, pub()), 'the head verifies with the public key alone');
      assert.ok(!headSignatureValid({ ...published, seq: published.seq - 1 }, pub()));
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/realms/nowhere/audit-head' })).statusCode, 404);
      const log = (await t.app.inject({ method: 'GET', url: '/api/v1/me/access-log', headers: eva.headers })).json();
      assert.equal(log.head.seq, published.seq);
      assert.equal(log.head.hash, published.hash);
      assert.equal(log.entries[0].seq, published.seq, 'the newest entry is the head');
      assert.equal(log.entries[0].hash, published.hash);
      const headFile = join(t.dataDir, '..', `saved-head-${lane}-${Date.now()}.json`);
      writeFileSync(headFile, JSON.stringify(published));
      const personFile = `${headFile}.person.json`;
      writeFileSync(personFile, JSON.stringify(log));
      try {
        assert.equal(reelmCli(t, ['audit-log', 'verify', '--against', headFile, '--against', personFile]).status, 0);
        writeFileSync(`${headFile}.elsewhere.json`, JSON.stringify({ ...published, realm: 'atlantis' }));
        assert.equal(reelmCli(t, ['audit-log', 'verify', '--against', `${headFile}.elsewhere.json`]).status, 1, 'a head it cannot check does not pass');
        assert.equal(reelmCli(t, ['audit-log', 'verify', '--against']).status, 2);
        // An outside auditor with the published public key alone.
        assert.equal(reelmCli(t, ['audit-log', 'verify', '--public-key', published.publicKey, '--against', headFile]).status, 0);
        const otherPub = publicKeyId(generateKeyPairSync('ed25519').publicKey);
        assert.equal(reelmCli(t, ['audit-log', 'verify', '--public-key', otherPub]).status, 1, 'another key does not verify this chain');
        assert.equal(reelmCli(t, ['audit-log', 'verify', '--public-key', 'not-a-key']).status, 2);
        // The operator deletes the newest two entries, rewinds the head row and rewrites the realm log.
        const keep = published.seq - 2;
        const kept = await eu.db.selectFrom('staff_access_log').select('hash').where('seq', '=', keep).executeTakeFirstOrThrow();
        await eu.db.deleteFrom('staff_access_log').where('seq', '>', keep).execute();
        await eu.db.updateTable('audit_chain_head').set({ seq: keep, hash: kept.hash }).execute();
        const logFile = realmLogPath(eu.manifest);
        const lines = readFileSync(logFile, 'utf8').split('\n');
        writeFileSync(logFile, lines.filter((l) => !(l.includes('"audit_chain_head"') && JSON.parse(l).seq > keep)).join('\n'));
        assert.deepEqual((await verifyChain(eu, pub())).problems, [], 'without a saved head, a clean truncation is invisible');
        const r = await verifyChain(eu, pub(), [published]);
        assert.ok(
          r.problems.some((p) => new RegExp(`names entry ${published.seq}, which the log no longer holds`).test(p)),
          r.problems.join('; '),
        );
        for (const f of [headFile, personFile]) {
          const cli = reelmCli(t, ['audit-log', 'verify', '--against', f]);
          assert.equal(cli.status, 1, cli.stdout + cli.stderr);
          assert.match(cli.stdout, /truncated or rewritten/);
        }
        // A head made with another key (the operator's own) is not this realm's head.
        const other = generateKeyPairSync('ed25519');
        const otherKey = { privateKey: other.privateKey, publicKey: other.publicKey, publicKeyId: publicKeyId(other.publicKey) };
        const statement = `reelm-audit-head-v2\neu\n${keep}\n${kept.hash}\n${published.signedAt}`;
        const fake = { ...published, seq: keep, hash: kept.hash, publicKey: otherKey.publicKeyId, signature: signText(otherKey, statement) };
        assert.ok(headSignatureValid(fake, otherKey), 'the fake is well-formed');
        assert.ok(!headSignatureValid(fake, pub()));
      } finally {
        for (const f of [headFile, personFile, `${headFile}.elsewhere.json`]) rmSync(f, { force: true });
      }
    });
  });
}
