import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { RealmStore } from '../../src/realm/store.ts';
import { claim, complete, enqueue, JobError } from '../../src/jobs/queue.ts';
import { Worker, type JobHandlers } from '../../src/jobs/worker.ts';
import { isResidencyViolation } from '../../src/realm/guard.ts';
import { insertResident } from './resident.ts';

const fast = { pollMs: 5, backoff: { baseMs: 5, maxMs: 20 } };

for (const lane of lanes()) {
  test(`job queue (${lane})`, async (t) => {
    const r = await startReelm(lane);
    t.after(() => r.close());
    const us = r.reelm.realms.get('us');
    const owner = await insertResident(us);

    await t.test('a job runs once and ends done with progress 100', async () => {
      const ran: string[] = [];
      const handlers: JobHandlers = { 'test.once': { run: async (p, ctx) => void (ran.push(p.n), ctx.progress(50)) } };
      const job = await enqueue(us.db, { kind: 'test.once', ownerId: owner, payload: { n: 'a' } });
      const w = new Worker(us, handlers, fast);
      assert.equal(await w.drain(), 1);
      assert.deepEqual(ran, ['a']);
      const row = await us.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'done');
      assert.equal(row.progress, 100);
      assert.equal(row.attempts, 1);
      assert.equal(row.lease_owner, null);
    });

    await t.test('a failing job is retried with growing backoff, then succeeds', async () => {
      let calls = 0;
      const runAts: number[] = [];
      const job = await enqueue(us.db, { kind: 'test.flaky', ownerId: owner, payload: {} });
      const handlers: JobHandlers = {
        'test.flaky': {
          run: async () => {
            calls++;
            if (calls < 3) throw new Error(`transient ${calls}`);
          },
        },
      };
      const w = new Worker(us, handlers, { ...fast, backoff: { baseMs: 40, maxMs: 1000 } });
      for (let i = 0; i < 2; i++) {
        await w.runOnce();
        const row = await us.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
        assert.equal(row.state, 'queued');
        assert.equal(row.error_code, 'internal');
        assert.equal(row.error_message, `transient ${i + 1}`);
        runAts.push(row.run_at - row.updated_at);
        assert.equal(await w.runOnce(), false, 'not claimable before its backoff has passed');
        await sleep(row.run_at - Date.now() + 5);
      }
      assert.ok(runAts[1]! > runAts[0]!, `backoff grows: ${runAts}`);
      assert.equal(await w.runOnce(), true);
      const row = await us.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'done');
      assert.equal(row.attempts, 3);
      assert.equal(calls, 3);
    });

    await t.test('a permanent failure records why and tells the handler once, without retrying', async () => {
      const told: string[] = [];
      let calls = 0;
      const job = await enqueue(us.db, { kind: 'test.bad', ownerId: owner, payload: { v: 1 } });
      const handlers: JobHandlers = {
        'test.bad': {
          run: async () => {
            calls++;
            throw new JobError('not_video', 'This file is not a video.', { permanent: true });
          },
          failed: async (p, e) => void told.push(`${p.v}:${e.code}`),
        },
      };
      await new Worker(us, handlers, fast).drain();
      const row = await us.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'failed');
      assert.equal(row.error_code, 'not_video');
      assert.equal(row.error_message, 'This file is not a video.');
      assert.ok(row.finished_at);
      assert.equal(calls, 1);
      assert.deepEqual(told, ['1:not_video']);
    });

    await t.test('retries stop at max_attempts and the last reason is kept', async () => {
      const told: string[] = [];
      const job = await enqueue(us.db, { kind: 'test.always', ownerId: owner, payload: {}, maxAttempts: 3 });
      const handlers: JobHandlers = {
        'test.always': {
          run: async () => Promise.reject(new JobError('storage_unavailable', 'storage down')),
          failed: async (_p, e) => void told.push(e.code),
        },
      };
      const w = new Worker(us, handlers, fast);
      for (let i = 0; i < 20; i++) {
        await w.drain();
        const s = await us.db.selectFrom('jobs').select('state').where('id', '=', job.id).executeTakeFirstOrThrow();
        if (s.state === 'failed') break;
        await sleep(25);
      }
      const row = await us.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'failed');
      assert.equal(row.attempts, 3);
      assert.equal(row.error_code, 'storage_unavailable');
      assert.deepEqual(told, ['storage_unavailable']);
    });

    await t.test('a job whose worker died is claimed again after its lease runs out; the dead worker cannot complete it', async () => {
      const job = await enqueue(us.db, { kind: 'test.lease', ownerId: owner, payload: {} });
      const dead = await claim(us.db, 'dead-worker', ['test.lease'], 60);
      assert.equal(dead?.id, job.id);
      assert.equal(await claim(us.db, 'other', ['test.lease'], 60), undefined, 'held while the lease is valid');
      await sleep(80);
      let ran = 0;
      const w = new Worker(us, { 'test.lease': { run: async () => void ran++ } }, fast);
      assert.equal(await w.drain(), 1);
      assert.equal(ran, 1);
      assert.equal(await complete(us.db, dead!, 'dead-worker'), false, 'the stale worker lost its lease');
      const row = await us.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'done');
      assert.equal(row.attempts, 2);
    });

    await t.test('heartbeats keep a long job leased: nobody else runs it', async () => {
      const job = await enqueue(us.db, { kind: 'test.long', ownerId: owner, payload: {} });
      let runs = 0;
      const handlers: JobHandlers = { 'test.long': { run: async () => void (runs++, await sleep(300)) } };
      const a = new Worker(us, handlers, { ...fast, leaseMs: 100, heartbeatMs: 20 });
      const b = new Worker(us, handlers, { ...fast, leaseMs: 100, heartbeatMs: 20 });
      const first = a.runOnce();
      await sleep(50);
      const tries = [];
      for (let i = 0; i < 5; i++) {
        tries.push(await b.runOnce());
        await sleep(40);
      }
      await first;
      assert.deepEqual(tries, [false, false, false, false, false]);
      assert.equal(runs, 1);
      assert.equal((await us.db.selectFrom('jobs').select('state').where('id', '=', job.id).executeTakeFirstOrThrow()).state, 'done');
    });

    await t.test('a dedupe key yields one job', async () => {
      const a = await enqueue(us.db, { kind: 'test.once', ownerId: owner, payload: {}, dedupeKey: 'k1' });
      const b = await enqueue(us.db, { kind: 'test.once', ownerId: owner, payload: {}, dedupeKey: 'k1' });
      assert.equal(a.id, b.id);
      const n = await us.db
        .selectFrom('jobs')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('dedupe_key', '=', 'k1')
        .executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 1);
    });

    await t.test('a job for a person whose home is another realm is refused by the data layer (R13)', async () => {
      const eu = r.reelm.realms.get('eu');
      const euPerson = await insertResident(eu);
      const before = await us.db
        .selectFrom('jobs')
        .select((e) => e.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      await assert.rejects(enqueue(us.db, { kind: 'test.once', ownerId: euPerson, payload: {} }), (err) => isResidencyViolation(err));
      const after = await us.db
        .selectFrom('jobs')
        .select((e) => e.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
    });

    await t.test('stopping a worker hands its running job back without counting the attempt', async () => {
      const job = await enqueue(us.db, { kind: 'test.stop', ownerId: owner, payload: {} });
      const w = new Worker(
        us,
        { 'test.stop': { run: (_p, ctx) => new Promise((_res, rej) => ctx.signal.addEventListener('abort', () => rej(ctx.signal.reason))) } },
        fast,
      );
      w.start();
      for (let i = 0; i < 100; i++) {
        const s = await us.db.selectFrom('jobs').select('state').where('id', '=', job.id).executeTakeFirstOrThrow();
        if (s.state === 'running') break;
        await sleep(10);
      }
      await w.stop();
      const row = await us.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'queued');
      assert.equal(row.attempts, 0);
      await us.db.deleteFrom('jobs').where('id', '=', job.id).execute();
    });

    await t.test('two workers on separate connections never run one job twice', async () => {
      const second = await RealmStore.open(us.info, us.manifest, us.schema);
      const total = 40;
      for (let i = 0; i < total; i++) await enqueue(us.db, { kind: 'test.race', ownerId: owner, payload: { i } });
      const seen = new Map<number, string[]>();
      const handler = (name: string) => ({
        run: async (p: { i: number }) => {
          seen.set(p.i, [...(seen.get(p.i) ?? []), name]);
          await sleep(2);
        },
      });
      const a = new Worker(us, { 'test.race': handler('a') }, { ...fast, concurrency: 3 });
      const b = new Worker(second, { 'test.race': handler('b') }, { ...fast, concurrency: 3 });
      a.start();
      b.start();
      for (let i = 0; i < 400; i++) {
        const left = await us.db
          .selectFrom('jobs')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('kind', '=', 'test.race')
          .where('state', '!=', 'done')
          .executeTakeFirstOrThrow();
        if (Number(left.n) === 0) break;
        await sleep(20);
      }
      await Promise.all([a.stop(), b.stop()]);
      await second.close();
      assert.equal(seen.size, total);
      for (const [i, by] of seen) assert.equal(by.length, 1, `job ${i} ran ${by.length} times (${by})`);
      const names = new Set([...seen.values()].flat());
      assert.ok(names.has('a') && names.has('b'), `both workers took jobs: ${[...names]}`);
      const attempts = await us.db.selectFrom('jobs').select('attempts').where('kind', '=', 'test.race').execute();
      assert.ok(attempts.every((j) => j.attempts === 1));
    });
  });
}
