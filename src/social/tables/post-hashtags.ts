import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';

export interface PostHashtagsTable {
  tag: string;
  video_id: string;
  created_at: number;
}

export const postHashtagsSpec = {
  name: 'post_hashtags',
  kind: 'replica',
  purpose: 'hashtag → post index for hashtag pages and trending',
  columns: { tag: 'public', video_id: 'operational', created_at: 'public' },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createPostHashtags(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('post_hashtags')
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('video_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('post_hashtags_pk', ['tag', 'video_id'])
    .execute();
  await s.createIndex('post_hashtags_page').on('post_hashtags').columns(['tag', 'created_at', 'video_id']).execute();
  await s.createIndex('post_hashtags_video').on('post_hashtags').columns(['video_id']).execute();
}
