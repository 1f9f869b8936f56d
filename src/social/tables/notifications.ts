import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { fk } from './columns.ts';

export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  /** one notification per cause: a replayed or repeated cause cannot duplicate it */
  cause_key: string;
  /** notifications with the same group key are shown together ("12 people liked your video") */
  group_key: string;
  actor_id: string | null;
  actor_realm: string | null;
  actor_handle: string | null;
  video_id: string | null;
  video_realm: string | null;
  comment_id: string | null;
  excerpt: string;
  created_at: number;
  read_at: number | null;
}

export const notificationsSpec = {
  name: 'notifications',
  kind: 'resident',
  ownerColumn: 'user_id',
  personColumns: ['actor_id'],
  purpose: 'a resident’s notifications (new followers, likes, comments, replies, mentions, duets, sound uses)',
  columns: {
    id: 'operational',
    user_id: 'operational',
    kind: 'operational',
    cause_key: 'operational',
    group_key: 'operational',
    actor_id: 'operational',
    actor_realm: 'operational',
    actor_handle: 'public',
    video_id: 'operational',
    video_realm: 'operational',
    comment_id: 'operational',
    excerpt: 'public',
    created_at: 'operational',
    read_at: 'operational',
  },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createNotifications(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', fk)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('cause_key', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_realm', 'text')
    .addColumn('actor_handle', 'text')
    .addColumn('video_id', 'text')
    .addColumn('video_realm', 'text')
    .addColumn('comment_id', 'text')
    .addColumn('excerpt', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('read_at', 'bigint')
    .addUniqueConstraint('notifications_cause', ['user_id', 'cause_key'])
    .execute();
  await s.createIndex('notifications_page').on('notifications').columns(['user_id', 'created_at']).execute();
  await s.createIndex('notifications_video').on('notifications').columns(['video_id']).execute();
}
