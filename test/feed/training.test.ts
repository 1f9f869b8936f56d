import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/api/app.ts';
import { openReelm } from '../../src/composition.ts';
import { latestVersion } from '../../src/feed/models.ts';
import { trainPending } from '../../src/feed/trainer.ts';
import { startBackground } from '../../src/modules/roles.ts';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api } from '../social/helpers.ts';
import { learn, page, watch, world } from './helpers.ts';

// Training is off the request path: a watch or like only queues the event (in
// the transaction that stores it); the realm's trainer — the `feed-training`
// task of the serve/worker role — learns it.

for (const lane of lanes()) {
  describe(`For You training [${lane}]`, () => {
    it('a training failure never fails a watch or like; the next run learns the events', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creators = [await signUp(r), await signUp(r)];
      const tagOf = await world(r, creators, ['q'], 2);
      const [v1, v2, v3] = [...tagOf.keys()];
      const viewer = await signUp(r);
      const store = r.reelm.realms.get(viewer.realm);
      await watch(r, viewer, [v1!]);
      assert.equal(await learn(r), 1);
      const good = await latestVersion(store);
      // A broken snapshot stored as the next version (a damaged store, a bad trainer elsewhere): training now fails.
      await store.db
        .insertInto('feed_models')
        .values({ version: good + 1, snapshot: 'bm90IGEgbW9kZWw=', created_at: Date.now() })
        .execute();
      await watch(r, viewer, [v2!]); // 200 with every event stored
      const like = await api(r).put(`/api/v1/posts/${v3}/like`, viewer, {});
      assert.ok(like.statusCode < 300, like.body);
      await assert.rejects(trainPending(r.reelm, store), /snapshot/);
      const pending = await store.db.selectFrom('feed_pending').select(['video_id', 'signal']).orderBy('id').execute();
      assert.deepEqual(
        pending.map((p) => ({ ...p })),
        [
          { video_id: v2, signal: 'watch' },
          { video_id: v3, signal: 'like' },
        ],
      );
      const plays = async (id: string) =>
        Number((await store.db.selectFrom('feed_video_stats').select('plays').where('video_id', '=', id).executeTakeFirst())?.plays ?? 0);
      assert.equal(await plays(v2!), 0, 'a failed run counts nothing');
      // The store is repaired; the next run learns both events, once.
      await store.db
        .deleteFrom('feed_models')
        .where('version', '=', good + 1)
        .execute();
      assert.equal(await learn(r), 2);
      assert.equal(await latestVersion(store), good + 1);
      assert.equal(await plays(v2!), 1);
      assert.equal((await store.db.selectFrom('feed_pending').selectAll().execute()).length, 0);
      assert.equal(await learn(r), 0, 'nothing left to learn');
    });

    it('split deployment: the API process (no background work) only queues; a worker process trains', async (t) => {
      const r = await startReelm(lane, { config: { feed: { trainPollMs: 20, trainIntervalMs: 0 } } });
      let stopWorker = async () => {};
      t.after(async () => {
        await stopWorker();
        await r.close();
      });
      const creators = [await signUp(r), await signUp(r)];
      const tagOf = await world(r, creators, ['w'], 2);
      const viewer = await signUp(r);
      const store = r.reelm.realms.get(viewer.realm);
      await watch(r, viewer, [...tagOf.keys()].slice(0, 2));
      const before = await page(r, viewer, null, 2);
      assert.equal(before.modelVersion, 0, 'the API process trains nothing');
      assert.equal((await store.db.selectFrom('feed_pending').selectAll().execute()).length, 2);
      // `reelm worker`: the background tasks alone, over the same stores.
      const worker = await openReelm(r.config);
      const bg = startBackground(worker, { onError: (task, err) => assert.fail(`${task}: ${String(err)}`) });
      stopWorker = async () => {
        await bg.stop();
        await worker.close();
      };
      assert.ok(bg.tasks.includes('feed-training'));
      const deadline = Date.now() + 30_000;
      while ((await latestVersion(store)) === 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 25));
      assert.equal(await latestVersion(store), 1, 'the worker trained the realm model');
      assert.equal((await store.db.selectFrom('feed_pending').selectAll().execute()).length, 0);
      const after = await page(r, viewer, null, 2, '&includeSeen=true');
      assert.equal(after.modelVersion, 1, 'the API process serves what the worker stored');
      // A second API process over the same stores sees it too.
      const other = await openReelm(r.config);
      const app2 = await buildApp(other, { logger: false });
      t.after(async () => {
        await app2.close();
        await other.close();
      });
      assert.equal((await page({ ...r, reelm: other, app: app2 }, viewer, null, 2, '&includeSeen=true')).modelVersion, 1);
    });

    it('feed_co keeps at most feed.coNeighbours neighbours per video and drops pairs older than feed.coMaxAgeDays', async (t) => {
      const r = await startReelm(lane, { config: { feed: { coNeighbours: 5, coMaxAgeDays: 30 } } });
      t.after(() => r.close());
      const creators = [await signUp(r), await signUp(r)];
      const ids = [...(await world(r, creators, ['c'], 5)).keys()]; // 10 videos
      const store = r.reelm.realms.get(creators[0]!.realm);
      const fans = [await signUp(r), await signUp(r)];
      // Both fans finish the first 3 (strong pairs); one finishes all 10 (weak pairs).
      for (const f of fans) await watch(r, f, ids.slice(0, 3));
      await watch(r, fans[0]!, ids.slice(3));
      await learn(r);
      const rows = await store.db.selectFrom('feed_co').selectAll().execute();
      const per = new Map<string, typeof rows>();
      for (const row of rows) per.set(row.video_a, [...(per.get(row.video_a) ?? []), row]);
      assert.equal(per.size, 10);
      for (const [a, list] of per) {
        assert.ok(list.length <= 5, `${a} has ${list.length} neighbours`);
        if (ids.slice(0, 3).includes(a)) {
          const strong = ids.slice(0, 3).filter((x) => x !== a);
          for (const b of strong)
            assert.ok(
              list.some((x) => x.video_b === b && Number(x.weight) === 2),
              'the strongest pairs are kept',
            );
        }
      }
      // A pair not strengthened for longer than coMaxAgeDays goes at the next run.
      const old = rows[0]!;
      await store.db
        .updateTable('feed_co')
        .set({ updated_at: Date.now() - 31 * 86_400_000 })
        .where('video_a', '=', old.video_a)
        .where('video_b', '=', old.video_b)
        .execute();
      const late = await signUp(r);
      await watch(r, late, [ids[9]!], false); // any event: a run
      assert.equal(await learn(r), 1);
      const gone = await store.db.selectFrom('feed_co').selectAll().where('video_a', '=', old.video_a).where('video_b', '=', old.video_b).execute();
      assert.deepEqual(gone, []);
    });
  });
}
