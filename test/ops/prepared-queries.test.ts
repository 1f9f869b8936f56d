import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { preparedQuery } from '../../src/realm/prepared.ts';
import { resolveSession } from '../../src/accounts/sessions.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';

// The fast signed-in path (docs/BENCHMARKS.md, "API throughput"): hot queries are compiled
// once (src/realm/prepared.ts), run as named statements on PostgreSQL (src/realm/database.ts),
// and /api/v1/me answers from the row read with the session.

for (const lane of lanes()) {
  describe(`prepared queries [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test('one compiled session lookup answers each token with its own person, and /me shows a change at once', async () => {
      const a = await signUp(t, { country: 'DE' });
      const b = await signUp(t, { country: 'DE' });
      for (const p of [a, b, a]) {
        const me = await t.app.inject({ url: '/api/v1/me', headers: p.headers });
        assert.equal(me.statusCode, 200);
        assert.equal(me.json().handle, p.handle);
        assert.equal(me.json().email, p.email);
      }
      const patched = await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: a.headers, payload: { displayName: 'Renamed' } });
      assert.equal(patched.statusCode, 200);
      assert.equal((await t.app.inject({ url: '/api/v1/me', headers: a.headers })).json().displayName, 'Renamed');
      const profile = await t.app.inject({ url: `/api/v1/users/${b.handle}` });
      assert.equal(profile.statusCode, 200);
      assert.equal(profile.json().id, b.userId);
      assert.deepEqual(profile.json().labels, []);
      assert.equal((await t.app.inject({ url: '/api/v1/users/nobody_here_at_all' })).statusCode, 404);
    });

    test('a prepared query fills its parameters per call and survives a column added under it', async () => {
      const db = t.reelm.realms.get('eu').db as unknown as Kysely<any>;
      await sql`create table prepared_probe (id text primary key, name text)`.execute(db);
      try {
        await db
          .insertInto('prepared_probe')
          .values([
            { id: 'a', name: 'first' },
            { id: 'b', name: 'second' },
          ])
          .execute();
        const query = preparedQuery(['id'], (d: Kysely<any>, p) => d.selectFrom('prepared_probe').selectAll().where('id', '=', p.id));
        const byId = async (d: Kysely<any>, values: { id: string }) => (await query(d, values)).map((r) => ({ ...(r as object) })); // node:sqlite rows have no prototype
        await db.connection().execute(async (conn) => {
          assert.deepEqual(await byId(conn, { id: 'a' }), [{ id: 'a', name: 'first' }]);
          assert.deepEqual(await byId(conn, { id: 'b' }), [{ id: 'b', name: 'second' }]);
          // a migration in another process changes the table; the statement's cached plan no longer fits
          await sql`alter table prepared_probe add column extra text`.execute(conn);
          assert.deepEqual(await byId(conn, { id: 'a' }), [{ id: 'a', name: 'first', extra: null }]);
        });
        assert.deepEqual(await byId(db, { id: 'b' }), [{ id: 'b', name: 'second', extra: null }]);
      } finally {
        await sql`drop table prepared_probe`.execute(db);
      }
    });

    test('a prepared query that leaves out one of its parameters is refused', async () => {
      const bad = preparedQuery(['id', 'other'], (d: Kysely<any>, p) => d.selectFrom('users').select('id').where('id', '=', p.id));
      await assert.rejects(bad(t.reelm.realms.get('eu').db as unknown as Kysely<any>, { id: 'x', other: 'y' }), /does not use its parameter\(s\) other/);
    });

    if (lane === 'postgres')
      test('on PostgreSQL the session lookup runs as a named (server-side prepared) statement', async () => {
        const p = await signUp(t, { country: 'DE' });
        const db = t.reelm.realms.get(p.realm).db;
        await db.connection().execute(async (conn) => {
          assert.equal((await resolveSession(conn, p.token))?.userId, p.userId);
          const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(conn);
          const session = rows.find((r) => r.statement.includes('"sessions"."token_hash" = $1'));
          assert.ok(session, `no named session statement among ${rows.map((r) => r.statement).join(' | ')}`);
          assert.match(session.name, /^reelm_[0-9a-f]{24}$/);
        });
      });
  });
}
