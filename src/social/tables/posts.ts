import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { fk } from './columns.ts';

export type Audience = 'public' | 'followers' | 'private';
export type InteractionPolicy = 'everyone' | 'followers' | 'no_one';

export interface PostsTable {
  video_id: string;
  owner_id: string;
  caption: string;
  /** JSON array of parsed entities (hashtags, mentions) with offsets */
  entities: string;
  audience: Audience;
  comment_policy: InteractionPolicy;
  duet_policy: InteractionPolicy;
  allow_download: number;
  sound_id: string | null;
  like_count: number;
  comment_count: number;
  share_count: number;
  favorite_count: number;
  view_count: number;
  watch_ms: number;
  completion_count: number;
  /** counts changed at / last announced to other realms at (social.post_stats) */
  stats_changed_at: number;
  stats_published_at: number;
  created_at: number;
  updated_at: number;
}

export const postsSpec = {
  name: 'posts',
  kind: 'resident',
  ownerColumn: 'owner_id',
  purpose: 'a resident’s video posts: caption, audience and interaction settings, exact counts (the authoritative record)',
  columns: {
    video_id: 'operational',
    owner_id: 'operational',
    caption: 'public',
    entities: 'public',
    audience: 'public',
    comment_policy: 'public',
    duet_policy: 'public',
    allow_download: 'public',
    sound_id: 'public',
    like_count: 'public',
    comment_count: 'public',
    share_count: 'public',
    favorite_count: 'public',
    view_count: 'public',
    watch_ms: 'operational',
    completion_count: 'operational',
    stats_changed_at: 'operational',
    stats_published_at: 'operational',
    created_at: 'public',
    updated_at: 'public',
  },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createPosts(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('posts')
    .addColumn('video_id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', fk)
    .addColumn('caption', 'text', (c) => c.notNull())
    .addColumn('entities', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('comment_policy', 'text', (c) => c.notNull())
    .addColumn('duet_policy', 'text', (c) => c.notNull())
    .addColumn('allow_download', 'integer', (c) => c.notNull())
    .addColumn('sound_id', 'text')
    .addColumn('like_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('comment_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('share_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('favorite_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('view_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('watch_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('stats_changed_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('stats_published_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('posts_owner').on('posts').columns(['owner_id', 'created_at']).execute();
  await s.createIndex('posts_stats').on('posts').columns(['stats_changed_at']).execute();
}
