import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { checkClassification, checkDirectorySchema, checkRealmSchema } from '../../src/residency/classification.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';

for (const lane of lanes()) {
  describe(`classification (${lane})`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test(`R1: every table and column of every realm store and the directory is classified (${lane})`, async () => {
      const findings = await checkClassification(t.reelm);
      assert.deepEqual(findings, []);
    });

    test(`R1: an unclassified table, an unclassified column and a full-text index are each reported (${lane})`, async () => {
      const us = t.reelm.realms.get('us');
      await sql.raw('create table rogue_notes (id text primary key, note text)').execute(us.db);
      await sql.raw('alter table sessions add column rogue_ip text').execute(us.db);
      if (lane === 'sqlite') await sql.raw('create virtual table rogue_search using fts5(body)').execute(us.db);
      try {
        const findings = await checkRealmSchema('us', us.db, us.schema.tables);
        const keys = findings.map((f) => `${f.kind}:${f.table}${f.column ? '.' + f.column : ''}`);
        assert.ok(keys.includes('unclassified_table:rogue_notes'), keys.join(', '));
        assert.ok(keys.includes('unclassified_column:sessions.rogue_ip'), keys.join(', '));
        if (lane === 'sqlite') {
          assert.ok(keys.includes('unclassified_table:rogue_search'), keys.join(', '));
          // The shadow tables are attributed to the undeclared virtual table, not silently skipped.
          assert.ok(keys.includes('unclassified_table:rogue_search_data'), keys.join(', '));
          // Declared, the full-text table and its shadows pass.
          const declared = await checkRealmSchema('us', us.db, [
            ...us.schema.tables,
            { name: 'rogue_search', kind: 'system', purpose: 'test', columns: { body: 'public' } },
          ]);
          assert.ok(!declared.some((f) => f.table.startsWith('rogue_search')), JSON.stringify(declared));
        }
        // Other realms are untouched by us's change.
        assert.deepEqual(await checkRealmSchema('eu', t.reelm.realms.get('eu').db, t.reelm.realms.get('eu').schema.tables), []);
      } finally {
        await sql.raw('drop table rogue_notes').execute(us.db);
        await sql.raw('alter table sessions drop column rogue_ip').execute(us.db);
        if (lane === 'sqlite') await sql.raw('drop table rogue_search').execute(us.db);
      }
    });

    test(`R2: the directory holds only allowlisted columns and none of the canary values (${lane})`, async () => {
      const canary = { email: `canary.r2.${lane}@canary-mail.test`, birthDate: '1987-03-14', displayName: 'Canarydisplayr2' };
      const person = await signUp(t, { country: 'DE', email: canary.email, birthDate: canary.birthDate, displayName: canary.displayName });
      assert.equal(person.realm, 'eu');
      assert.deepEqual(await checkDirectorySchema(t.reelm.directory.db), []);
      const rows = await t.reelm.directory.db.selectFrom('directory_accounts').selectAll().execute();
      assert.ok(
        rows.some((r) => r.user_id === person.userId),
        'the person is routable',
      );
      const dump = JSON.stringify(rows);
      for (const value of Object.values(canary)) assert.ok(!dump.toLowerCase().includes(value.toLowerCase()), `directory rows contain ${value}`);
      if (lane === 'sqlite') {
        const file = join(t.dataDir, 'directory.sqlite');
        const bytes = Buffer.concat(
          [file, `${file}-wal`].map((f) => {
            try {
              return readFileSync(f);
            } catch {
              return Buffer.alloc(0);
            }
          }),
        );
        for (const value of Object.values(canary)) assert.equal(bytes.indexOf(value), -1, `directory file bytes contain ${value}`);
      }
      // A column added beyond the allowlist is reported.
      await sql.raw('alter table directory_accounts add column display_name text').execute(t.reelm.directory.db);
      try {
        const findings = await checkDirectorySchema(t.reelm.directory.db);
        assert.deepEqual(
          findings.map((f) => `${f.kind}:${f.table}.${f.column}`),
          ['directory_column_not_allowed:directory_accounts.display_name'],
        );
      } finally {
        await sql.raw('alter table directory_accounts drop column display_name').execute(t.reelm.directory.db);
      }
    });
  });
}
