import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enqueue } from '../../src/jobs/queue.ts';
import { Worker, type JobContext } from '../../src/jobs/worker.ts';
import { isResidencyViolation } from '../../src/realm/guard.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { addResident, countRows, type Resident } from './residents.ts';

// R13: processing of a person's data runs where their data is. Every kind of
// processing (transcoding, ranking, moderation, analytics) runs as a job in a
// realm's own queue, run by that realm's worker on that realm's store.

for (const lane of lanes()) {
  describe(`processing in the home realm (${lane})`, () => {
    let t: TestReelm;
    let people: Resident[];
    before(async () => {
      t = await startReelm(lane);
      people = [
        await addResident(t.reelm.realms.get('us'), 'US'),
        await addResident(t.reelm.realms.get('eu'), 'PL'),
        await addResident(t.reelm.realms.get('intl'), 'KE'),
      ];
    });
    after(() => t.close());

    test(`R13: a job for a person is queued and run only in their home realm, on that realm's store (${lane})`, async () => {
      for (const p of people) await enqueue(t.reelm.realms.get(p.realm).db, { kind: 'r13.probe', ownerId: p.id, payload: { realm: p.realm } });
      // Queuing a person's job anywhere else is refused by the data layer.
      for (const p of people) {
        for (const other of ['us', 'eu', 'intl'].filter((r) => r !== p.realm)) {
          await assert.rejects(enqueue(t.reelm.realms.get(other).db, { kind: 'r13.probe', ownerId: p.id, payload: {} }), isResidencyViolation);
        }
      }
      const ran: { worker: string; store: string; owner: string; ownerIsResident: boolean }[] = [];
      for (const realm of ['us', 'eu', 'intl']) {
        const store = t.reelm.realms.get(realm);
        const worker = new Worker(store, {
          'r13.probe': {
            async run(_payload: unknown, ctx: JobContext) {
              const resident = await ctx.store.db.selectFrom('users').select('id').where('id', '=', ctx.job.owner_id).executeTakeFirst();
              ran.push({ worker: realm, store: ctx.store.name, owner: ctx.job.owner_id, ownerIsResident: !!resident });
            },
          },
        });
        assert.equal(await worker.drain(), 1, `${realm}'s worker runs exactly its own resident's job`);
        assert.equal(await countRows(store, 'jobs'), 1);
      }
      assert.deepEqual(
        ran.map((r) => [r.worker, r.store, r.owner, r.ownerIsResident]),
        people.map((p) => [p.realm, p.realm, p.id, true]),
      );
    });
  });
}
