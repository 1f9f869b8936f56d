import { sql, type Transaction } from 'kysely';
import type { Reelm } from '../context.ts';
import { isUniqueViolation } from '../realm/database.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { FeedPendingTable } from './schema.ts';
import { recentPositives } from './events.ts';
import { dayOf, localStats, personContexts, postRows, videoFeatures, type LocalStats } from './features.ts';
import { nextModel, type Observation } from './models.ts';

// The realm's trainer, run by the `feed-training` background task (module.ts)
// of the serve and worker roles, never by a request. One run takes the oldest
// pending events (feed_pending, queued by the engagement hook) and, in ONE
// transaction: stores the next model version, adds the per-video sums and
// trending counters, strengthens co-engagement pairs (pruning feed_co to
// feed.coNeighbours per video and dropping pairs older than feed.coMaxAgeDays),
// and deletes the events it learnt. So a failed run changes nothing and the
// next run learns the same events; two trainers (two worker processes) race
// on the version's primary key, the loser rolls back whole and starts again
// from the winner's model. Within a process, runs of one realm are serialised.

const TREND = { play: 1, completion: 2, like: 3, favorite: 3, share: 5 } as const;
const CHUNK = 400;

export interface TrainResult {
  /** events learnt by this run */
  events: number;
  /** the model version stored (or the latest one, when nothing was pending) */
  version: number | null;
}

const running = new WeakMap<RealmStore, Promise<TrainResult>>();

/** Learns up to feed.trainBatch pending events of this realm; coalesced with a run already going in this process. */
export async function trainPending(reelm: Reelm, store: RealmStore): Promise<TrainResult> {
  for (let prev = running.get(store); prev; prev = running.get(store)) await prev.catch(() => undefined);
  const run = runOnce(reelm, store).finally(() => running.delete(store));
  running.set(store, run);
  return run;
}

/** Whether a run is due: feed.trainAfterEvents pending, or the oldest pending has waited feed.trainIntervalMs. */
export async function trainingDue(reelm: Reelm, store: RealmStore, now = Date.now()): Promise<boolean> {
  const cfg = reelm.config.feed;
  const r = await store.db
    .selectFrom('feed_pending')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('queued_at').as('oldest')])
    .executeTakeFirst();
  const n = Number(r?.n ?? 0);
  return n > 0 && (n >= cfg.trainAfterEvents || now - Number(r!.oldest) >= cfg.trainIntervalMs);
}

async function runOnce(reelm: Reelm, store: RealmStore): Promise<TrainResult> {
  const cfg = reelm.config.feed;
  const db = store.db;
  for (let attempt = 0; ; attempt++) {
    const pending = await db.selectFrom('feed_pending').selectAll().orderBy('id').limit(cfg.trainBatch).execute();
    if (pending.length === 0) return { events: 0, version: null };
    const now = Date.now();
    const events = [...pending].sort((a, b) => Number(a.event_at) - Number(b.event_at) || (a.id < b.id ? -1 : 1));
    const posts = await postRows(db, [...new Set(events.map((e) => e.video_id))]);
    const learnt = events.filter((e) => posts.has(e.video_id)); // a deleted video is dropped from the queue, unlearnt
    const people = await personContexts(db, [...new Set(learnt.map((e) => e.user_id))]);
    const sums = new Map<string, LocalStats>();
    const trend = new Map<string, { country: string; day: number; video_id: string; score: number }>();
    const co = new Map<string, number>();
    const windows = new Map<string, string[]>();
    for (const e of learnt) {
      const add = sums.get(e.video_id) ?? { plays: 0, completions: 0, likes: 0, shares: 0 };
      const watch = e.signal === 'watch';
      const done = watch && e.completed === 1;
      add.plays += watch ? 1 : 0;
      add.completions += done ? 1 : 0;
      add.likes += e.signal === 'like' ? 1 : 0;
      add.shares += e.signal === 'share' ? 1 : 0;
      sums.set(e.video_id, add);
      const score = e.signal === 'watch' ? (done ? TREND.completion : e.skipped ? 0 : TREND.play) : TREND[e.signal];
      if (score > 0)
        for (const country of new Set(['', people.get(e.user_id)?.country ?? ''])) {
          const key = `${country}\t${dayOf(Number(e.event_at))}\t${e.video_id}`;
          const t = trend.get(key) ?? { country, day: dayOf(Number(e.event_at)), video_id: e.video_id, score: 0 };
          t.score += score;
          trend.set(key, t);
        }
      if (done || !watch) {
        // Pairs with the person's latest positives before this batch, then with this batch's earlier ones.
        let w = windows.get(e.user_id);
        if (!w) windows.set(e.user_id, (w = await positivesBefore(store, e.user_id, events, cfg.coWindow)));
        for (const other of w) {
          if (other === e.video_id) continue;
          for (const key of [`${e.video_id}\t${other}`, `${other}\t${e.video_id}`]) co.set(key, (co.get(key) ?? 0) + 1);
        }
        if (!w.includes(e.video_id)) w.unshift(e.video_id);
        if (w.length > cfg.coWindow) w.pop();
      }
    }
    // The model sees each video's public stats as they stand after this batch.
    const before = await localStats(db, [...sums.keys()]);
    const after = new Map([...sums].map(([id, a]) => [id, plus(before.get(id), a)]));
    const obs: Observation[] = learnt.map((e) => ({
      person: people.get(e.user_id)!,
      video: videoFeatures(posts.get(e.video_id)!, after.get(e.video_id), Number(e.event_at)),
      outcome: {
        completed: e.completed === 1,
        liked: e.signal === 'like' || e.signal === 'favorite',
        shared: e.signal === 'share',
        skippedEarly: e.skipped === 1,
        watchedFraction: Number(e.watched_fraction),
      },
      at: Number(e.event_at),
    }));
    const next = await nextModel(store, obs, now);
    try {
      await retryTransient(() =>
        db.transaction().execute(async (trx) => {
          // The version first: a second trainer blocks here and fails before it counts anything twice.
          await trx.insertInto('feed_models').values({ version: next.version, snapshot: next.snapshot, created_at: now }).execute();
          await addSums(trx, sums, now);
          await addTrend(trx, [...trend.values()]);
          await addCo(trx, co, now, cfg.coNeighbours, now - cfg.coMaxAgeDays * 86_400_000);
          const ids = pending.map((p) => p.id);
          for (let i = 0; i < ids.length; i += CHUNK)
            await trx
              .deleteFrom('feed_pending')
              .where('id', 'in', ids.slice(i, i + CHUNK))
              .execute();
          await trx
            .deleteFrom('feed_models')
            .where('version', '<=', next.version - cfg.keepSnapshots)
            .execute();
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err) && attempt < 20) continue; // another trainer stored this version first
      throw err;
    }
    next.committed();
    return { events: learnt.length, version: next.version };
  }
}

/** The person's latest positives, leaving out this batch's own events (they are paired as the batch replays). */
async function positivesBefore(store: RealmStore, userId: string, batch: readonly FeedPendingTable[], limit: number): Promise<string[]> {
  const mine = new Set(batch.filter((e) => e.user_id === userId).map((e) => e.video_id));
  return (await recentPositives(store, userId, limit + mine.size)).filter((v) => !mine.has(v)).slice(0, limit);
}

const plus = (a: LocalStats | undefined, b: LocalStats): LocalStats => ({
  plays: (a?.plays ?? 0) + b.plays,
  completions: (a?.completions ?? 0) + b.completions,
  likes: (a?.likes ?? 0) + b.likes,
  shares: (a?.shares ?? 0) + b.shares,
});

type Trx = Transaction<RealmDatabase>;
const byKey = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); // one lock order for every trainer

async function addSums(trx: Trx, sums: Map<string, LocalStats>, now: number) {
  const rows = byKey(sums).map(([video_id, s]) => ({ video_id, ...s, updated_at: now }));
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('feed_video_stats')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.column('video_id').doUpdateSet({
          plays: sql`feed_video_stats.plays + excluded.plays`,
          completions: sql`feed_video_stats.completions + excluded.completions`,
          likes: sql`feed_video_stats.likes + excluded.likes`,
          shares: sql`feed_video_stats.shares + excluded.shares`,
          updated_at: now,
        }),
      )
      .execute();
}

async function addTrend(trx: Trx, rows: { country: string; day: number; video_id: string; score: number }[]) {
  rows.sort((a, b) => a.country.localeCompare(b.country) || a.day - b.day || (a.video_id < b.video_id ? -1 : 1));
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('feed_trend')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['country', 'day', 'video_id']).doUpdateSet({ score: sql`feed_trend.score + excluded.score` }))
      .execute();
}

/**
 * Strengthens co-engagement pairs, then bounds feed_co: each touched video keeps its `keep` strongest
 * neighbours (ties broken by id), and pairs not strengthened since `staleBefore` go. So feed_co holds at
 * most coNeighbours rows per video that was positive within coMaxAgeDays.
 */
async function addCo(trx: Trx, co: Map<string, number>, now: number, keep: number, staleBefore: number) {
  const rows = byKey(co).map(([k, weight]) => {
    const [video_a, video_b] = k.split('\t') as [string, string];
    return { video_a, video_b, weight, updated_at: now };
  });
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('feed_co')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['video_a', 'video_b']).doUpdateSet({ weight: sql`feed_co.weight + excluded.weight`, updated_at: now }))
      .execute();
  for (const a of new Set(rows.map((r) => r.video_a))) {
    const edge = await trx
      .selectFrom('feed_co')
      .select(['weight', 'video_b'])
      .where('video_a', '=', a)
      .orderBy('weight', 'desc')
      .orderBy('video_b')
      .offset(keep)
      .limit(1)
      .executeTakeFirst();
    if (edge)
      await trx
        .deleteFrom('feed_co')
        .where('video_a', '=', a)
        .where((eb) => eb.or([eb('weight', '<', edge.weight), eb.and([eb('weight', '=', edge.weight), eb('video_b', '>=', edge.video_b)])]))
        .execute();
  }
  await trx.deleteFrom('feed_co').where('updated_at', '<', staleBefore).execute();
}

/** Deadlock (40P01) and serialization failure (40001) are safe to retry: the transaction rolled back whole. */
async function retryTransient<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (i >= attempts || (code !== '40P01' && code !== '40001')) throw err;
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 20));
    }
  }
}
