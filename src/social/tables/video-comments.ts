import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';

export interface VideoCommentsTable {
  id: string;
  video_id: string;
  parent_id: string | null;
  author_id: string;
  author_realm: string;
  author_handle: string;
  author_display_name: string;
  body: string;
  entities: string;
  like_count: number;
  reply_count: number;
  pinned: number;
  created_at: number;
}

export const videoCommentsSpec = {
  name: 'video_comments',
  kind: 'replica',
  personColumns: ['author_id'],
  purpose: 'public copies of comments on this realm’s videos, with the commenter’s public handle',
  columns: {
    id: 'operational',
    video_id: 'operational',
    parent_id: 'operational',
    author_id: 'operational',
    author_realm: 'operational',
    author_handle: 'public',
    author_display_name: 'public',
    body: 'public',
    entities: 'public',
    like_count: 'public',
    reply_count: 'public',
    pinned: 'public',
    created_at: 'public',
  },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createVideoComments(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('video_comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('video_id', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('author_realm', 'text', (c) => c.notNull())
    .addColumn('author_handle', 'text', (c) => c.notNull())
    .addColumn('author_display_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('entities', 'text', (c) => c.notNull())
    .addColumn('like_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('video_comments_page').on('video_comments').columns(['video_id', 'parent_id', 'created_at']).execute();
  await s.createIndex('video_comments_parent').on('video_comments').columns(['parent_id']).execute();
}
