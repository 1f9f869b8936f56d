import { sql } from 'kysely';
import type { Reelm } from '../context.ts';
import type { RealmStore } from '../realm/store.ts';
import { dayOf, localStats, personContext, postRows, videoFeatures } from './features.ts';
import { train, type Observation } from './models.ts';

// The hook the social layer calls after it stores a person's watch events,
// likes, favorites and shares (in their home realm, after commit). Per event:
// this realm's per-video sums and trending counters, co-engagement pairs with
// the person's latest positives (bounded by feed.coWindow), and one online
// update of this realm's model. Nothing here leaves the realm.

export interface FeedEvent {
  videoId: string;
  kind: 'watch' | 'like' | 'favorite' | 'share';
  completed?: boolean;
  skipped?: boolean;
  watchedFraction?: number;
  at: number;
}

const TREND = { play: 1, completion: 2, like: 3, favorite: 3, share: 5 } as const;

export async function recordFeedEvents(reelm: Reelm, realm: string, userId: string, events: readonly FeedEvent[]): Promise<void> {
  if (events.length === 0 || !reelm.realms.has(realm)) return;
  const store = reelm.realms.get(realm);
  const cfg = reelm.config.feed;
  const db = store.db;
  const posts = await postRows(db, [...new Set(events.map((e) => e.videoId))]);
  const person = await personContext(db, userId);
  const now = Date.now();
  const positives = await recentPositives(store, userId, cfg.coWindow);
  // Rows are upserted in video-id order and the transaction is retried when PostgreSQL picks it
  // as a deadlock victim: concurrent batches touching the same videos must all be counted.
  const ordered = [...events].sort((a, b) => (a.videoId < b.videoId ? -1 : a.videoId > b.videoId ? 1 : 0));
  await retryTransient(() =>
    db.transaction().execute(async (trx) => {
      for (const e of ordered) {
        if (!posts.has(e.videoId)) continue;
        const done = e.kind === 'watch' && e.completed ? 1 : 0;
        const add = {
          plays: e.kind === 'watch' ? 1 : 0,
          completions: done,
          likes: e.kind === 'like' ? 1 : 0,
          shares: e.kind === 'share' ? 1 : 0,
        };
        await trx
          .insertInto('feed_video_stats')
          .values({ video_id: e.videoId, ...add, updated_at: now })
          .onConflict((oc) =>
            oc.column('video_id').doUpdateSet({
              plays: sql`feed_video_stats.plays + ${add.plays}`,
              completions: sql`feed_video_stats.completions + ${add.completions}`,
              likes: sql`feed_video_stats.likes + ${add.likes}`,
              shares: sql`feed_video_stats.shares + ${add.shares}`,
              updated_at: now,
            }),
          )
          .execute();
        const score = e.kind === 'watch' ? (done ? TREND.completion : e.skipped ? 0 : TREND.play) : TREND[e.kind];
        if (score > 0)
          for (const country of new Set(['', person.country ?? ''])) {
            await trx
              .insertInto('feed_trend')
              .values({ country, day: dayOf(e.at), video_id: e.videoId, score })
              .onConflict((oc) => oc.columns(['country', 'day', 'video_id']).doUpdateSet({ score: sql`feed_trend.score + ${score}` }))
              .execute();
          }
        const positive = done === 1 || e.kind !== 'watch';
        if (positive) {
          for (const other of positives) {
            if (other === e.videoId) continue;
            for (const [a, b] of [
              [e.videoId, other],
              [other, e.videoId],
            ] as const) {
              await trx
                .insertInto('feed_co')
                .values({ video_a: a, video_b: b, weight: 1, updated_at: now })
                .onConflict((oc) => oc.columns(['video_a', 'video_b']).doUpdateSet({ weight: sql`feed_co.weight + 1`, updated_at: now }))
                .execute();
            }
          }
          if (!positives.includes(e.videoId)) positives.unshift(e.videoId);
          if (positives.length > cfg.coWindow) positives.pop();
        }
      }
    }),
  );
  const stats = await localStats(db, [...posts.keys()]);
  const obs: Observation[] = [];
  for (const e of events) {
    const p = posts.get(e.videoId);
    if (!p) continue;
    obs.push({
      person,
      video: videoFeatures(p, stats.get(e.videoId), e.at),
      outcome: {
        completed: e.kind === 'watch' ? !!e.completed : true,
        liked: e.kind === 'like' || e.kind === 'favorite',
        shared: e.kind === 'share',
        skippedEarly: !!e.skipped,
        watchedFraction: e.kind === 'watch' ? Math.max(0, Math.min(1, e.watchedFraction ?? 0)) : 1,
      },
      at: e.at,
    });
  }
  await train(store, obs, cfg.keepSnapshots);
}

/** The person's latest completed or liked videos (two indexed reads, each LIMITed). */
export async function recentPositives(store: RealmStore, userId: string, limit: number): Promise<string[]> {
  const watched = await store.db
    .selectFrom('watch_events')
    .select(['video_id', 'played_at as at'])
    .where('user_id', '=', userId)
    .where('completed', '=', 1)
    .orderBy('played_at', 'desc')
    .limit(limit)
    .execute();
  const liked = await store.db
    .selectFrom('likes')
    .select(['video_id', 'created_at as at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  const all = [...watched, ...liked].sort((a, b) => Number(b.at) - Number(a.at));
  return [...new Set(all.map((r) => r.video_id))].slice(0, limit);
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
