import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { fk, activity } from './columns.ts';

export interface CommentLikesTable {
  id: string;
  user_id: string;
  comment_id: string;
  video_id: string;
  video_realm: string;
  created_at: number;
}

export const commentLikesSpec = {
  name: 'comment_likes',
  kind: 'resident',
  ownerColumn: 'user_id',
  purpose: 'comments a resident liked',
  columns: { id: 'operational', user_id: 'operational', comment_id: 'operational', ...activity },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createCommentLikes(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('comment_likes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', fk)
    .addColumn('comment_id', 'text', (c) => c.notNull())
    .addColumn('video_id', 'text', (c) => c.notNull())
    .addColumn('video_realm', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('comment_likes_once', ['user_id', 'comment_id'])
    .execute();
  await s.createIndex('comment_likes_by_video').on('comment_likes').columns(['video_id']).execute();
  await s.createIndex('comment_likes_by_comment').on('comment_likes').columns(['comment_id']).execute();
}
