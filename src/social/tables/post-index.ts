import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Audience, InteractionPolicy } from './posts.ts';
import type { TableSpec } from '../../realm/tables.ts';

export interface PostIndexTable {
  video_id: string;
  video_realm: string;
  owner_id: string;
  owner_handle: string;
  owner_display_name: string;
  caption: string;
  entities: string;
  /** space-separated lower-case tags, for search */
  hashtags: string;
  audience: Audience;
  comment_policy: InteractionPolicy;
  duet_policy: InteractionPolicy;
  allow_download: number;
  /** 1: the creator's country protects accounts of their age (src/privacy/teen.ts): no reuse, not in adults' For You */
  teen_protected: number;
  sound_id: string | null;
  sound_title: string;
  duration_ms: number;
  /** blob keys (in video_realm) of the first playable rendition and the poster */
  play_key: string | null;
  poster_key: string | null;
  like_count: number;
  comment_count: number;
  share_count: number;
  view_count: number;
  created_at: number;
  updated_at: number;
  /** space-separated moderation labels (unverified, age_restricted, state_affiliated…) */
  labels: string;
}

export const postIndexSpec = {
  name: 'post_index',
  kind: 'replica',
  personColumns: ['owner_id'],
  purpose: 'public projection of every realm’s non-private posts (social.post), read by feeds, pages and search',
  columns: {
    video_id: 'operational',
    video_realm: 'operational',
    owner_id: 'operational',
    owner_handle: 'public',
    owner_display_name: 'public',
    caption: 'public',
    entities: 'public',
    hashtags: 'public',
    audience: 'public',
    comment_policy: 'public',
    duet_policy: 'public',
    allow_download: 'public',
    teen_protected: 'public',
    sound_id: 'public',
    sound_title: 'public',
    duration_ms: 'public',
    play_key: 'public',
    poster_key: 'public',
    like_count: 'public',
    comment_count: 'public',
    share_count: 'public',
    view_count: 'public',
    created_at: 'public',
    updated_at: 'public',
    labels: 'public',
  },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createPostIndex(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('post_index')
    .addColumn('video_id', 'text', (c) => c.primaryKey())
    .addColumn('video_realm', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('owner_handle', 'text', (c) => c.notNull())
    .addColumn('owner_display_name', 'text', (c) => c.notNull())
    .addColumn('caption', 'text', (c) => c.notNull())
    .addColumn('entities', 'text', (c) => c.notNull())
    .addColumn('hashtags', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('comment_policy', 'text', (c) => c.notNull())
    .addColumn('duet_policy', 'text', (c) => c.notNull())
    .addColumn('allow_download', 'integer', (c) => c.notNull())
    .addColumn('sound_id', 'text')
    .addColumn('sound_title', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('play_key', 'text')
    .addColumn('poster_key', 'text')
    .addColumn('like_count', 'integer', (c) => c.notNull())
    .addColumn('comment_count', 'integer', (c) => c.notNull())
    .addColumn('share_count', 'integer', (c) => c.notNull())
    .addColumn('view_count', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('post_index_owner').on('post_index').columns(['owner_id', 'created_at', 'video_id']).execute();
  await s.createIndex('post_index_sound').on('post_index').columns(['sound_id', 'created_at', 'video_id']).execute();
  await s.createIndex('post_index_recent').on('post_index').columns(['created_at', 'video_id']).execute();
}

/** post_index.teen_protected (src/privacy/teen.ts): a projection says whether its creator's country protects them. */
export const teenProtectedMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('post_index')
      .addColumn('teen_protected', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

/** 0025: moderation labels travel with the projection (docs/MODERATION.md). */
export const postLabelsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('post_index')
      .addColumn('labels', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
  },
};
