import type { Generated, Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { fk } from './columns.ts';

export interface WatchEventsTable {
  user_id: string;
  client_event_id: string;
  video_id: string;
  video_realm: string;
  watched_ms: number;
  duration_ms: number;
  completed: number;
  replays: number;
  skipped: number;
  played_at: number;
  received_at: number;
  /** what of this play reached the video's realm (src/social/view-rollup.ts): 0 nothing, 1 the play, 2 everything */
  report_state: number;
  /** 1 when this play raised the video's view count (one per person and video per window: view-once.ts) */
  counts_view: Generated<number>;
}

export const watchEventsSpec = {
  name: 'watch_events',
  kind: 'resident',
  ownerColumn: 'user_id',
  purpose: 'a resident’s watch history, one row per play (input to ranking, which runs in this realm)',
  columns: {
    user_id: 'operational',
    client_event_id: 'operational',
    video_id: 'operational',
    video_realm: 'operational',
    watched_ms: 'protected',
    duration_ms: 'operational',
    completed: 'protected',
    replays: 'protected',
    skipped: 'protected',
    played_at: 'protected',
    received_at: 'operational',
    report_state: 'operational',
    counts_view: 'operational',
  },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createWatchEvents(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('watch_events')
    .addColumn('user_id', 'text', fk)
    .addColumn('client_event_id', 'text', (c) => c.notNull())
    .addColumn('video_id', 'text', (c) => c.notNull())
    .addColumn('video_realm', 'text', (c) => c.notNull())
    .addColumn('watched_ms', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('completed', 'integer', (c) => c.notNull())
    .addColumn('replays', 'integer', (c) => c.notNull())
    .addColumn('skipped', 'integer', (c) => c.notNull())
    .addColumn('played_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('watch_events_pk', ['user_id', 'client_event_id'])
    .execute();
  await s.createIndex('watch_events_by_person').on('watch_events').columns(['user_id', 'played_at']).execute();
  await s.createIndex('watch_events_by_video').on('watch_events').columns(['video_id', 'played_at']).execute();
}
