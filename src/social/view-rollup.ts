import { sql, type Transaction } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { ViewCounts } from './engagement-apply.ts';
import { relay } from './relay.ts';

// Views of another realm's videos cross as rollups, never as one person's
// batch (a person's watched_ms, completions and replays are protected). Each
// play of a video in another realm waits in watch_events (report_state 0)
// until the realm's periodic rollup reports it:
//  • when the unreported plays of a video span ≥ VIEWS_MIN_VIEWERS distinct
//    viewers: plays, watched ms and completions, summed (state 2);
//  • otherwise, once the oldest unreported play is VIEWS_WINDOW_MS old: the
//    plays only (the public view count, so it converges), holding watch time
//    and completions back (state 1) until k distinct viewers have joined them.
// Same-realm plays never cross and are counted at once (state 2 on insert).
// Plays are the ones that raise the view count (counts_view: view-once.ts).

export const VIEWS_MIN_VIEWERS = 3;
export const VIEWS_WINDOW_MS = 60_000;

type Trx = Transaction<RealmDatabase>;

/** Reports this realm's due rollups to the videos' realms; returns how many videos were reported. */
export async function flushViewRollups(store: RealmStore, now = Date.now(), limit = 500): Promise<number> {
  return store.transact(async (tx) => {
    const due = await tx.db
      .selectFrom('watch_events')
      .select([
        'video_id',
        (eb) => eb.fn.count<number>('user_id').distinct().as('viewers'),
        sql<number | null>`min(case when report_state = 0 then received_at end)`.as('oldest'),
      ])
      .where('report_state', '<', 2)
      .groupBy('video_id')
      .having((eb) =>
        eb.or([
          eb(eb.fn.count('user_id').distinct(), '>=', VIEWS_MIN_VIEWERS),
          eb(sql`min(case when report_state = 0 then received_at end)`, '<=', now - VIEWS_WINDOW_MS),
        ]),
      )
      .orderBy('video_id')
      .limit(limit)
      .execute();
    const byRealm = new Map<string, ViewCounts[]>();
    for (const { video_id } of due) {
      const counts = await claim(tx.db, video_id, now);
      if (counts) byRealm.set(counts.realm, [...(byRealm.get(counts.realm) ?? []), counts.v]);
    }
    for (const [realm, list] of [...byRealm.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (let i = 0; i < list.length; i += 1000) await relay(tx, realm, 'social.views', { videos: list.slice(i, i + 1000) });
    }
    return [...byRealm.values()].reduce((n, l) => n + l.length, 0);
  });
}

/**
 * Claims a video's unreported rows (state + 10, so rows that arrive meanwhile
 * are not touched), decides from exactly those rows, and settles them.
 */
async function claim(trx: Trx, videoId: string, now: number): Promise<{ realm: string; v: ViewCounts } | undefined> {
  const rows = await trx
    .updateTable('watch_events')
    .set({ report_state: sql`report_state + 10` })
    .where('video_id', '=', videoId)
    .where('report_state', '<', 2)
    .returning(['user_id', 'video_realm', 'watched_ms', 'completed', 'report_state', 'received_at', 'counts_view'])
    .execute();
  const fresh = rows.filter((r) => r.report_state === 10);
  const viewers = new Set(rows.map((r) => r.user_id)).size;
  const realm = rows[0]?.video_realm;
  let v: ViewCounts | undefined;
  if (realm && viewers >= VIEWS_MIN_VIEWERS) {
    v = {
      video_id: videoId,
      plays: fresh.reduce((n, r) => n + Number(r.counts_view), 0),
      watch_ms_total: rows.reduce((s, r) => s + Number(r.watched_ms), 0),
      completions: rows.reduce((s, r) => s + Number(r.completed), 0),
    };
    await settle(trx, videoId, sql`2`);
  } else if (realm && fresh.length && Math.min(...fresh.map((r) => Number(r.received_at))) <= now - VIEWS_WINDOW_MS) {
    v = { video_id: videoId, plays: fresh.reduce((n, r) => n + Number(r.counts_view), 0), watch_ms_total: 0, completions: 0 };
    await settle(trx, videoId, sql`1`);
  } else {
    await settle(trx, videoId, sql`report_state - 10`);
  }
  return v && realm ? { realm, v } : undefined;
}

async function settle(trx: Trx, videoId: string, state: ReturnType<typeof sql<number>>) {
  await trx.updateTable('watch_events').set({ report_state: state }).where('video_id', '=', videoId).where('report_state', '>=', 10).execute();
}
