import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compiledOnce } from '../../src/realm/compiled.ts';
import type { RealmDatabase } from '../../src/realm/registry.ts';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';

// src/realm/compiled.ts: a query compiled once per shape answers each call with that call's values.

for (const lane of lanes()) {
  describe(`compiled queries [${lane}]`, () => {
    it('each call’s values fill the slots; constants of the shape stay; a slot the query lacks is refused', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const [a, b, c] = [await signUp(r), await signUp(r), await signUp(r)];
      const db = r.reelm.realms.get(a.realm).db;
      const run = compiledOnce<RealmDatabase>();
      const pick = (ids: string[], handle: string) =>
        run(db, `${ids.length}|${handle}`, ids, (slot) =>
          db
            .selectFrom('users')
            .select('id')
            .where(
              'id',
              'in',
              ids.map((_, i) => slot(i)),
            )
            .where('handle', '!=', handle)
            .orderBy('id'),
        );
      const ids = (rows: { id: string }[]) => rows.map((x) => x.id);
      assert.deepEqual(ids(await pick([a.userId], 'nobody')), [a.userId]);
      assert.deepEqual(ids(await pick([b.userId], 'nobody')), [b.userId], 'the same shape, another value');
      assert.deepEqual(ids(await pick([a.userId, c.userId], 'nobody')), [a.userId, c.userId].sort());
      assert.deepEqual(ids(await pick([a.userId, c.userId], a.handle)), [c.userId], 'a constant names its own shape');
      await assert.rejects(
        run(db, 'lacks', ['x'], () => db.selectFrom('users').select('id')),
        /slot 0 is not in the query/,
      );
    });
  });
}
