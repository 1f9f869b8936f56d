import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sendFlow } from '../../src/flows/outbox.ts';
import { relay } from '../../src/social/relay.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { addResident, countRows } from '../residency/residents.ts';

// Issue 8: one object binds a realm store and its transaction (src/realm/transactor.ts).
// What is written and what is announced through a transactor commit or roll back together.

for (const lane of lanes()) {
  describe(`realm transactor (${lane})`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test(`store.transact binds the store and one transaction: a write, a sent flow and a locally applied flow roll back together (${lane})`, async () => {
      const eu = t.reelm.realms.get('eu');
      const a = await addResident(eu, 'DE');
      const b = await addResident(eu, 'FR');
      const outbox = await countRows(eu, 'flow_outbox');
      await assert.rejects(
        eu.transact(async (tx) => {
          assert.equal(tx.store, eu);
          assert.equal(tx.realm, 'eu');
          await tx.db
            .insertInto('blocks')
            .values({ blocker_id: a.id, blocked_id: b.id, blocked_realm: 'eu', blocked_handle: b.handle, created_at: 1 })
            .execute();
          await sendFlow(tx, { flow: 'graph.unfollow', to: 'us', payload: { follower_id: a.id, followee_id: b.id } });
          await relay(tx, 'eu', 'social.block', { blocker_id: a.id, blocked_id: b.id, at: 1 }); // applied here, in this transaction
          assert.equal((await tx.db.selectFrom('block_edges').select('blocker_id').where('blocked_id', '=', b.id).execute()).length, 1);
          throw new Error('undo');
        }),
        /undo/,
      );
      assert.equal(await countRows(eu, 'flow_outbox'), outbox);
      assert.equal((await eu.reader().db.selectFrom('blocks').select('blocker_id').where('blocker_id', '=', a.id).execute()).length, 0);
      assert.equal((await eu.db.selectFrom('block_edges').select('blocker_id').where('blocked_id', '=', b.id).execute()).length, 0);

      await eu.transact(async (tx) => {
        await sendFlow(tx, { flow: 'graph.unfollow', to: 'us', payload: { follower_id: a.id, followee_id: b.id } });
        await relay(tx, 'eu', 'social.block', { blocker_id: a.id, blocked_id: b.id, at: 1 });
      });
      assert.equal(await countRows(eu, 'flow_outbox'), outbox + 1);
      assert.equal((await eu.db.selectFrom('block_edges').select('blocker_id').where('blocked_id', '=', b.id).execute()).length, 1);
    });
  });
}
