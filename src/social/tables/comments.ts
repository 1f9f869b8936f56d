import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { TableSpec } from '../../realm/tables.ts';
import { fk, activity } from './columns.ts';

export interface CommentsTable {
  id: string;
  author_id: string;
  video_id: string;
  video_realm: string;
  parent_id: string | null;
  body: string;
  /** pending until the video's realm has its say; published; rejected (with reason) — shown to the author */
  state: CommentState;
  reason: string | null;
  created_at: number;
}

export type CommentState = 'pending' | 'published' | 'rejected';

export const commentsSpec = {
  name: 'comments',
  kind: 'resident',
  ownerColumn: 'author_id',
  purpose: 'comments a resident wrote (their own copy; the public copy is in the video’s realm)',
  columns: {
    id: 'operational',
    author_id: 'operational',
    parent_id: 'operational',
    body: 'public',
    state: 'operational',
    reason: 'operational',
    ...activity,
  },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createComments(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('author_id', 'text', fk)
    .addColumn('video_id', 'text', (c) => c.notNull())
    .addColumn('video_realm', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('comments_by_person').on('comments').columns(['author_id', 'created_at']).execute();
  await s.createIndex('comments_by_video').on('comments').columns(['video_id', 'created_at']).execute();
}

/** The author's copy of a comment records what the video's realm decided (src/social/comment-outcome.ts). */
export const commentStateMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('comments')
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('published'))
      .execute();
    await db.schema.alterTable('comments').addColumn('reason', 'text').execute();
  },
};
