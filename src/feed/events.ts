import type { EngagementListener } from '../modules/engagement.ts';
import { newId } from '../lib/ids.ts';
import type { RealmStore } from '../realm/store.ts';

// The feed's engagement listener (declared in module.ts, called by the social
// layer through src/modules/engagement.ts inside the transaction that stores a
// person's watches, likes, favorites and shares). It only queues the events in
// feed_pending — one multi-row insert, in the person's home realm — so the
// request answers 2xx exactly when the events are stored, and learning
// (stats, co-engagement, the model) happens in the realm's trainer
// (trainer.ts), never on the request path. Nothing here leaves the realm.

const CHUNK = 200;

export const queueFeedEvents: EngagementListener = async (trx, _store, userId, events) => {
  const now = Date.now();
  const rows = events.map((e) => ({
    id: newId(),
    user_id: userId,
    video_id: e.videoId,
    signal: e.kind,
    completed: e.kind === 'watch' ? (e.completed ? 1 : 0) : 1,
    skipped: e.skipped ? 1 : 0,
    watched_fraction: e.kind === 'watch' ? Math.max(0, Math.min(1, e.watchedFraction ?? 0)) : 1,
    event_at: e.at,
    queued_at: now,
  }));
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('feed_pending')
      .values(rows.slice(i, i + CHUNK))
      .execute();
};

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
  return mergePositives(watched, liked, limit);
}

/** Newest first, one entry per video: what the person finished and what they liked. */
export function mergePositives(watched: readonly Positive[], liked: readonly Positive[], limit: number): string[] {
  const all = [...watched, ...liked].sort((a, b) => Number(b.at) - Number(a.at));
  return [...new Set(all.map((r) => r.video_id))].slice(0, limit);
}

type Positive = { video_id: string; at: number | string };
