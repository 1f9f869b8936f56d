import type { Viewer } from '../api/auth.ts';
import type { Reelm } from '../context.ts';
import { relay } from './relay.ts';
import { emitEngagement } from '../modules/engagement.ts';
import { claimViews } from './view-once.ts';

// Watch events: one row per play, sent by the player in batches. Each event
// carries the client's own id; (person, client event id) is the primary key,
// so a batch sent twice (a retry after a lost answer) stores every event once,
// and only newly stored events are counted. The events stay in the viewer's
// realm (ranking runs there); the video's realm receives per-batch counts only.
// A person's plays raise a video's view count once per window (view-once.ts).

export interface WatchEventInput {
  clientEventId: string;
  videoId: string;
  watchedMs: number;
  durationMs: number;
  completed: boolean;
  replays: number;
  /** when omitted: watched less than two seconds and not completed */
  skipped?: boolean;
  playedAt: string;
}

export const SKIP_WINDOW_MS = 2000;
const INSERT_CHUNK = 200;

export async function recordWatchEvents(reelm: Reelm, viewer: Viewer, events: readonly WatchEventInput[]) {
  const store = reelm.realms.get(viewer.realm);
  const ids = [...new Set(events.map((e) => e.videoId))];
  // Only videos the viewer can know of (in their realm's index) are recorded.
  const known = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await store.db
      .selectFrom('post_index')
      .select(['video_id', 'video_realm'])
      .where('video_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) known.set(r.video_id, r.video_realm);
  }
  const now = Date.now();
  const rows = events
    .filter((e) => known.has(e.videoId))
    .map((e) => ({
      user_id: viewer.userId,
      client_event_id: e.clientEventId,
      video_id: e.videoId,
      video_realm: known.get(e.videoId)!,
      watched_ms: Math.round(e.watchedMs),
      duration_ms: Math.round(e.durationMs),
      completed: e.completed ? 1 : 0,
      replays: e.replays,
      skipped: (e.skipped ?? (e.watchedMs < SKIP_WINDOW_MS && !e.completed)) ? 1 : 0,
      played_at: Math.min(Date.parse(e.playedAt) || now, now),
      received_at: now,
      report_state: known.get(e.videoId) === store.name ? 2 : 0,
      counts_view: 0,
    }));
  const unknown = events.length - rows.length;
  const result = await store.transact(async (tx) => {
    const stored: typeof rows = [];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const inserted = await tx.db
        .insertInto('watch_events')
        .values(chunk)
        .onConflict((oc) => oc.columns(['user_id', 'client_event_id']).doNothing())
        .returning('client_event_id')
        .execute();
      const fresh = new Set(inserted.map((r) => r.client_event_id));
      stored.push(...chunk.filter((r) => fresh.has(r.client_event_id)));
    }
    // One view per person and video per window: the first new play of a video whose slot is free counts.
    const counting = await claimViews(
      tx.db,
      viewer.userId,
      stored.map((r) => r.video_id),
      now,
      reelm.config.limits.viewWindowSeconds * 1000,
    );
    for (const r of stored) {
      if (!counting.delete(r.video_id)) continue;
      r.counts_view = 1;
      await tx.db
        .updateTable('watch_events')
        .set({ counts_view: 1 })
        .where('user_id', '=', viewer.userId)
        .where('client_event_id', '=', r.client_event_id)
        .execute();
    }
    // Per video of this realm: plays, watch time, completions (nothing crosses a realm here).
    const perVideo = new Map<string, { plays: number; ms: number; done: number }>();
    for (const r of stored.filter((s) => s.video_realm === store.name)) {
      const v = perVideo.get(r.video_id) ?? { plays: 0, ms: 0, done: 0 };
      v.plays += r.counts_view;
      v.ms += r.watched_ms;
      v.done += r.completed;
      perVideo.set(r.video_id, v);
    }
    // Videos in a fixed order, so concurrent batches take row locks alike.
    const list = [...perVideo.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([videoId, v]) => ({ video_id: videoId, plays: v.plays, watch_ms_total: v.ms, completions: v.done }));
    for (let i = 0; i < list.length; i += 1000) await relay(tx, store.name, 'social.views', { videos: list.slice(i, i + 1000) });
    // Whoever learns from watches (For You) is told of the newly stored ones only, in this transaction.
    await emitEngagement(
      reelm,
      tx.db,
      store,
      viewer.userId,
      stored.map((r) => ({
        videoId: r.video_id,
        kind: 'watch' as const,
        completed: r.completed === 1,
        skipped: r.skipped === 1,
        watchedFraction: r.duration_ms > 0 ? r.watched_ms / r.duration_ms : 0,
        at: r.played_at,
      })),
    );
    return { received: events.length, stored: stored.length, duplicates: rows.length - stored.length, unknownVideos: unknown };
  });
  return result;
}

/** A person's own watch history, newest first (also what the ranking in their realm reads). */
export async function watchHistory(reelm: Reelm, viewer: Viewer, before: number | undefined, limit: number) {
  let q = reelm.realms.get(viewer.realm).db.selectFrom('watch_events').selectAll().where('user_id', '=', viewer.userId);
  if (before) q = q.where('played_at', '<', before);
  return q.orderBy('played_at', 'desc').limit(limit).execute();
}
