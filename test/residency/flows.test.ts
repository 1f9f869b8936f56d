import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { composition } from '../../src/composition.ts';
import { emitFlow } from '../../src/flows/outbox.ts';
import { receiveMessages, type FlowMessage } from '../../src/flows/receive.ts';
import { FlowDeliverer } from '../../src/flows/deliverer.ts';
import { checkFlowMessage, FlowRefused } from '../../src/flows/validate.ts';
import { follow, unfollow } from '../../src/graph/service.ts';
import { realmLogPath } from '../../src/residency/realm-log.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { addResident, countRows } from './residents.ts';

const FLOWS = composition.schema.flows.all;

function readLog(t: TestReelm, realm: string): string {
  try {
    return readFileSync(realmLogPath(t.reelm.realms.get(realm).manifest), 'utf8');
  } catch {
    return '';
  }
}

test('R5: docs/RESIDENCY.md publishes every flow of the flow table', () => {
  const doc = readFileSync('docs/RESIDENCY.md', 'utf8');
  for (const flow of FLOWS) {
    const row = doc.split('\n').find((l) => new RegExp(`^\\| \`${flow.name.replace('.', '\\.')}\` +\\|`).test(l));
    assert.ok(row, `docs/RESIDENCY.md has no row for ${flow.name}`);
    for (const field of Object.keys(flow.fields)) assert.ok(row.includes(`\`${field}\``), `docs/RESIDENCY.md row for ${flow.name} omits ${field}`);
  }
});

for (const lane of lanes()) {
  describe(`declared flows (${lane})`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test(`R5: walks the whole flow table: only public/operational fields, protected and undeclared fields refused and logged without values (${lane})`, async () => {
      const us = t.reelm.realms.get('us');
      assert.ok(FLOWS.length >= 2);
      for (const flow of FLOWS) {
        for (const [name, field] of Object.entries(flow.fields)) {
          assert.ok(field.class === 'public' || field.class === 'operational', `${flow.name}.${name} is ${field.class}`);
          assert.ok(!composition.schema.flows.protectedNames.has(name), `${flow.name}.${name} is a protected column name`);
        }
        assert.ok(flow.purpose && flow.retention && flow.route, `${flow.name} documents purpose, route and retention`);
        assert.equal(checkFlowMessage(composition.schema.flows, flow.name, { ...flow.example }), flow, `${flow.name}'s example is valid`);
        const before = await countRows(us, 'flow_outbox');
        for (const [extra, reason] of [
          [{ email: 'canary.flow@canary-mail.test' }, 'protected_field'],
          [{ birth_date: '1911-11-11' }, 'protected_field'],
          [{ nickname: 'canarynick' }, 'undeclared_field'],
        ] as const) {
          await assert.rejects(
            us.db.transaction().execute((trx) => emitFlow(us, trx, { flow: flow.name, to: 'eu', payload: { ...flow.example, ...extra } })),
            (err: unknown) => err instanceof FlowRefused && err.reason === reason,
          );
        }
        const missing = Object.keys(flow.fields)[0]!;
        const partial: Record<string, unknown> = { ...flow.example };
        delete partial[missing];
        await assert.rejects(
          us.db.transaction().execute((trx) => emitFlow(us, trx, { flow: flow.name, to: 'eu', payload: partial })),
          (err: unknown) => err instanceof FlowRefused && err.reason === 'missing_field',
        );
        assert.equal(await countRows(us, 'flow_outbox'), before, 'a refused flow writes nothing');
      }
      await assert.rejects(
        us.db.transaction().execute((trx) => emitFlow(us, trx, { flow: 'accounts.copy_everything', to: 'eu', payload: { user_id: 'x' } })),
        (err: unknown) => err instanceof FlowRefused && err.reason === 'undeclared_flow',
      );
      const log = readLog(t, 'us');
      assert.match(log, /"event":"flow_refused".*"reason":"protected_field".*"fields":\["email"\]/);
      assert.match(log, /"reason":"undeclared_flow"/);
      for (const value of ['canary.flow@canary-mail.test', '1911-11-11', 'canarynick']) assert.ok(!log.includes(value), `refusal log holds ${value}`);
    });

    test(`R5: the receiver refuses a message with a protected field even if a sender wrote it (${lane})`, async () => {
      const eu = t.reelm.realms.get('eu');
      const followee = await addResident(eu, 'FR');
      const forged: FlowMessage = {
        id: '01zzzzzzzzzzzzzzzzzzzzzzz0',
        from: 'intl',
        to: 'eu',
        seq: 1,
        flow: 'graph.follow',
        payload: {
          follower_id: '01jabcdefghjkmnpqrstvwxyz0',
          followee_id: followee.id,
          follower_realm: 'intl',
          follower_handle: 'x',
          follower_display_name: 'x',
          follower_avatar_key: null,
          followed_at: 1,
          email: 'canary.forged@canary-mail.test',
        },
        createdAt: Date.now(),
      };
      const [r] = await receiveMessages(eu, 'intl', [forged]);
      assert.equal(r!.outcome, 'refused');
      assert.equal(await countRows(eu, 'follower_edges'), 0);
      const row = await eu.db.selectFrom('users').select('follower_count').where('id', '=', followee.id).executeTakeFirstOrThrow();
      assert.equal(row.follower_count, 0);
      assert.ok(!readLog(t, 'eu').includes('canary.forged'));
      // The sequence moves on: the next message from intl is accepted.
      const [next] = await receiveMessages(eu, 'intl', [
        {
          ...forged,
          id: '01zzzzzzzzzzzzzzzzzzzzzzz1',
          seq: 2,
          payload: { follower_id: '01jabcdefghjkmnpqrstvwxyz0', followee_id: followee.id },
          flow: 'graph.unfollow',
        },
      ]);
      assert.equal(next!.outcome, 'skipped');
    });

    test(`R6: a flow commits with its transaction or not at all (${lane})`, async () => {
      const us = t.reelm.realms.get('us');
      const before = await countRows(us, 'flow_outbox');
      await assert.rejects(
        us.db.transaction().execute(async (trx) => {
          await emitFlow(us, trx, {
            flow: 'graph.unfollow',
            to: 'eu',
            payload: { follower_id: '01jabcdefghjkmnpqrstvwxyz0', followee_id: '01jabcdefghjkmnpqrstvwxyz1' },
          });
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      assert.equal(await countRows(us, 'flow_outbox'), before);
    });

    test(`R6: delivery applies each message exactly once and in order, across a lost acknowledgement and a gap (${lane})`, async () => {
      const us = t.reelm.realms.get('us');
      const eu = t.reelm.realms.get('eu');
      const followee = await addResident(eu, 'DE');
      const snap = { id: followee.id, realm: 'eu', handle: followee.handle, displayName: followee.handle, avatarKey: null };
      const a = await addResident(us, 'US');
      const b = await addResident(us, 'US');
      // a follows, unfollows, follows again; b follows then unfollows. Only order gives {a}.
      await follow(us, a.id, snap);
      await follow(us, b.id, snap);
      await unfollow(us, a.id, followee.id);
      await follow(us, a.id, snap);
      await unfollow(us, b.id, followee.id);
      assert.deepEqual((await follow(us, a.id, snap)).created, false, 'double follow is a no-op');

      const pending = await us.db.selectFrom('flow_outbox').selectAll().where('to_realm', '=', 'eu').where('state', '=', 'pending').orderBy('seq').execute();
      assert.equal(pending.length, 5);
      const msgs: FlowMessage[] = pending.map((r) => ({
        id: r.id,
        from: 'us',
        to: 'eu',
        seq: Number(r.seq),
        flow: r.flow,
        payload: JSON.parse(r.payload),
        createdAt: Number(r.created_at),
      }));
      // Out of order: the 2nd before the 1st is not applied.
      const [early] = await receiveMessages(eu, 'us', [msgs[1]!]);
      assert.equal(early!.outcome, 'out_of_order');
      // The receiver applies the first three, but the acknowledgement is lost (the sender never marks them).
      const first = await receiveMessages(eu, 'us', msgs.slice(0, 3));
      assert.deepEqual(
        first.map((r) => r.outcome),
        ['applied', 'applied', 'applied'],
      );
      // The worker resends everything pending; the three are answered duplicate, the rest applied.
      const stats = await new FlowDeliverer(t.reelm).deliverOnce();
      assert.equal(stats.pending, 0);
      const outbox = await us.db.selectFrom('flow_outbox').select(['state']).where('to_realm', '=', 'eu').execute();
      assert.ok(outbox.every((r) => r.state === 'delivered'));
      const edges = await eu.db.selectFrom('follower_edges').select('follower_id').where('followee_id', '=', followee.id).execute();
      assert.deepEqual(
        edges.map((e) => e.follower_id),
        [a.id],
      );
      const counts = await eu.db.selectFrom('users').select('follower_count').where('id', '=', followee.id).executeTakeFirstOrThrow();
      assert.equal(counts.follower_count, 1);
      const inbox = await eu.db.selectFrom('flow_inbox').select(['seq', 'message_id']).where('from_realm', '=', 'us').orderBy('seq').execute();
      assert.deepEqual(
        inbox.map((r) => Number(r.seq)),
        [1, 2, 3, 4, 5],
      );
      assert.deepEqual(
        inbox.map((r) => r.message_id),
        msgs.map((m) => m.id),
      );
      // Delivering again changes nothing.
      await receiveMessages(eu, 'us', msgs);
      assert.equal((await eu.db.selectFrom('users').select('follower_count').where('id', '=', followee.id).executeTakeFirstOrThrow()).follower_count, 1);
    });
  });
}

test('a field added to a flow later with an optional schema may be absent (an older sender’s message is applied); a required one may not', () => {
  const table = composition.schema.flows;
  const example = { ...(table.get('social.post')!.example as Record<string, unknown>) };
  delete example.pinned_at;
  assert.doesNotThrow(() => checkFlowMessage(table, 'social.post', example));
  delete example.caption;
  assert.throws(
    () => checkFlowMessage(table, 'social.post', example),
    (e) => e instanceof FlowRefused && e.reason === 'missing_field' && e.fields.join() === 'caption',
  );
});
