import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { isResidencyViolation } from '../../src/realm/guard.ts';
import { RealmStore } from '../../src/realm/store.ts';
import { startReelm } from '../helpers/lanes.ts';
import { missingLane } from '../helpers/missing-lane.ts';
import { signUp } from '../helpers/users.ts';

// A PostgreSQL realm process restarted under live traffic: its start-up must not take
// an exclusive lock on the realm's tables when the guard and hold triggers are already
// current (reinstalling them deadlocked against running transactions). The store is
// reopened with a lock timeout while another connection holds a write transaction on
// `users` open, so a start-up that still reinstalled the triggers fails here instead of
// waiting. A dropped trigger or a changed definition is still put back.

const skip = missingLane(!process.env.REELM_TEST_PG_URL, 'needs REELM_TEST_PG_URL');

test('a PostgreSQL start-up leaves current guards alone under a live write, and reinstalls a dropped or changed one', { skip, timeout: 120_000 }, async (t) => {
  const r = await startReelm('postgres');
  const person = await signUp(r, { country: 'US' });
  const us = r.reelm.realms.get('us');
  const info = r.reelm.policy.realm('us');
  const url = (us.manifest.database as { url: string }).url;
  const withLockTimeout = new URL(url);
  withLockTimeout.searchParams.set('options', '-c lock_timeout=3000');
  const reopen = () => RealmStore.open(info, { ...us.manifest, database: { kind: 'postgres', url: withLockTimeout.toString() } }, r.reelm.composition.schema);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.after(async () => (await client.end(), await r.close()));
  const guardsRow = async () => (await client.query<{ guards: string | null }>('select guards from realm_meta')).rows[0]!.guards;
  const triggerOid = async (name: string) => (await client.query<{ oid: string }>('select oid::text from pg_trigger where tgname = $1', [name])).rows[0]?.oid;
  const installed = await guardsRow();
  assert.match(installed ?? '', /^[0-9a-f]{64}$/, 'the first start-up recorded what it installed');
  const before = await triggerOid('residency_guard_users');
  assert.ok(before);

  // a live write transaction on users while a second process of the realm starts
  await client.query('begin');
  await client.query('update users set display_name = display_name where id = $1', [person.userId]);
  const second = await reopen();
  await second.close();
  await client.query('rollback');
  assert.equal(await triggerOid('residency_guard_users'), before, 'the trigger was not recreated');
  assert.equal(await guardsRow(), installed);

  // a dropped trigger is put back at the next start, and guards again
  await client.query('drop trigger residency_guard_sessions on sessions');
  await (await reopen()).close();
  assert.ok(await triggerOid('residency_guard_sessions'), 'reinstalled');
  const eu = r.reelm.realms.get('eu');
  await assert.rejects(
    eu.db
      .insertInto('sessions')
      .values({ id: 'x', user_id: person.userId, token_hash: 'h', kind: 'bearer', created_at: 1, last_seen_at: 1, expires_at: 2 } as never)
      .execute(),
    isResidencyViolation,
  );
  await assert.rejects(
    us.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('users').where('id', '=', person.userId).execute();
      await trx
        .insertInto('sessions')
        .values({ id: 'y', user_id: person.userId, token_hash: 'h2', kind: 'bearer', created_at: 1, last_seen_at: 1, expires_at: 2 } as never)
        .execute();
    }),
    isResidencyViolation,
    'us refuses a session whose owner is not its resident',
  );

  // a definition that changed since the last install (another fingerprint on record) is reinstalled
  await client.query(`update realm_meta set guards = 'an older release'`);
  await (await reopen()).close();
  assert.equal(await guardsRow(), installed);
  assert.notEqual(await triggerOid('residency_guard_users'), before, 'reinstalled');
});
