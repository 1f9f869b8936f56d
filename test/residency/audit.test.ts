import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { auditReelm } from '../../src/audit/scan.ts';
import { FlowDeliverer } from '../../src/flows/deliverer.ts';
import { newId } from '../../src/lib/ids.ts';
import { adminUrlOf, lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { reelmCli } from './cli-env.ts';

for (const lane of lanes()) {
  describe(`reelm audit (${lane})`, () => {
    let t: TestReelm;
    let ana: TestUser; // us
    let eva: TestUser; // eu
    before(async () => {
      t = await startReelm(lane);
      ana = await signUp(t, { country: 'US' });
      eva = await signUp(t, { country: 'IT' });
      await t.app.inject({ method: 'POST', url: `/api/v1/users/${eva.handle}/follow`, headers: ana.headers });
      await new FlowDeliverer(t.reelm).deliverOnce();
      await t.reelm.realms.get('us').blobs.put(`users/${ana.userId}/videos/v1.mp4`, Buffer.from('video bytes'));
    });
    after(() => t.close());

    test(`a clean deployment audits clean and \`reelm audit\` exits 0 (${lane})`, async () => {
      const report = await auditReelm(t.reelm);
      assert.deepEqual(report.findings, []);
      assert.ok(report.rows > 0 && report.files === 1);
      const cli = reelmCli(t, ['audit']);
      assert.equal(cli.status, 0, cli.stdout + cli.stderr);
      assert.match(cli.stdout, /clean: \d+ rows and 1 files/);
    });

    test(`R3/R8 audit: finds rows and files outside their home realm, unclassified tables, orphaned files and stale routing; exits non-zero (${lane})`, async () => {
      const us = t.reelm.realms.get('us');
      // A row that bypassed the guard (as from a restored backup): eva's session inside us.
      // (pg_restore runs with triggers off in just this way; on SQLite: no guard trigger, no foreign keys.)
      const now = Date.now();
      const insert = sql`insert into sessions (id, user_id, token_hash, kind, created_at, last_seen_at, expires_at) values (${newId()}, ${eva.userId}, ${'h' + newId()}, 'bearer', ${now}, ${now}, ${now})`;
      if (lane === 'sqlite') {
        await sql.raw('drop trigger residency_guard_sessions_insert').execute(us.db);
        await sql.raw('pragma foreign_keys = off').execute(us.db);
        await insert.execute(us.db);
        await sql.raw('pragma foreign_keys = on').execute(us.db);
      } else {
        // Triggers off needs the server's superuser; the realm's own role cannot do this.
        const admin = new pg.Client({ connectionString: adminUrlOf((us.manifest.database as { url: string }).url) });
        await admin.connect();
        try {
          await admin.query('begin');
          await admin.query('set local session_replication_role = replica');
          await admin.query(
            `insert into sessions (id, user_id, token_hash, kind, created_at, last_seen_at, expires_at) values ($1, $2, $3, 'bearer', $4, $4, $4)`,
            [newId(), eva.userId, 'h' + newId(), now],
          );
          await admin.query('commit');
        } finally {
          await admin.end();
        }
      }
      // A country moved out of us by a policy change, with its people still here.
      await us.db.deleteFrom('realm_countries').where('country', '=', 'US').execute();
      await sql.raw('create table scratch_copy (id text)').execute(us.db);
      const ghost = newId();
      const stale = newId();
      await us.blobs.put(`users/${eva.userId}/videos/copied.mp4`, Buffer.from('eva in the wrong realm'));
      await us.blobs.put(`users/${ghost}/avatar/gone.webp`, Buffer.from('a deleted person'));
      await us.blobs.put('tmp/junk.bin', Buffer.from('nobody'));
      await us.blobs.put(`users/${ana.userId}/avatar/old.webp`, Buffer.from('replaced avatar'));
      await t.reelm.directory.db
        .insertInto('directory_accounts')
        .values({ user_id: stale, realm: 'us', handle_key: 'stale_' + stale.slice(-6), email_key: 'k' + stale, state: 'active', updated_at: now })
        .execute();

      const report = await auditReelm(t.reelm);
      const kinds = report.findings.map((f) => `${f.realm}:${f.kind}`).sort();
      assert.deepEqual(kinds, [
        'us:blob_of_non_resident',
        'us:blob_of_non_resident',
        'us:blob_unreferenced',
        'us:blob_without_owner',
        'us:directory_dangling',
        'us:person_not_homed_here',
        'us:row_of_non_resident',
        'us:unclassified_table',
      ]);
      const foreign = report.findings.find((f) => f.kind === 'row_of_non_resident')!;
      assert.equal(foreign.table, 'sessions');
      assert.deepEqual(foreign.sample, [eva.userId]);
      assert.ok(report.findings.some((f) => f.kind === 'blob_of_non_resident' && /whose home is eu/.test(f.message)));
      assert.ok(report.findings.some((f) => f.kind === 'blob_of_non_resident' && /no account/.test(f.message)));
      assert.ok(report.findings.some((f) => f.kind === 'person_not_homed_here' && f.sample!.includes(ana.userId)));

      const cli = reelmCli(t, ['audit', '--json']);
      assert.equal(cli.status, 1, cli.stderr);
      const json = JSON.parse(cli.stdout);
      assert.equal(json.ok, false);
      // The CLI reopened the stores, which restores the policy's countries and the guard; the rest remains.
      assert.ok(json.findings.some((f: { kind: string }) => f.kind === 'row_of_non_resident'));
    });
  });
}
