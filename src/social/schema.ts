import { sql, type Generated, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { dialectOf } from '../realm/database.ts';
import { defineTables } from '../realm/tables.ts';

// The social layer's tables, split by residency (docs/SOCIAL.md):
//  • resident — a person's own activity, in their home realm: their posts (the
//    authoritative record), likes, comments, favorites, shares, watch events,
//    blocks and notifications.
//  • replica — public projections delivered by declared flows (src/social/flows.ts):
//    post_index (every realm holds the public posts of all realms, so feeds,
//    hashtag/sound pages and search run on the viewer's own realm), and, in a
//    video's realm, the public copies of engagement on it (video_engagements,
//    video_comments). block_edges tells a blocked person's realm about the block.

export type Audience = 'public' | 'followers' | 'private';
export type InteractionPolicy = 'everyone' | 'followers' | 'no_one';
export type EngagementKind = 'like' | 'favorite' | 'share' | 'comment_like';

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

export interface LikesTable {
  id: string;
  user_id: string;
  video_id: string;
  video_realm: string;
  created_at: number;
}

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

export interface CommentLikesTable {
  id: string;
  user_id: string;
  comment_id: string;
  video_id: string;
  video_realm: string;
  created_at: number;
}

export interface FavoriteCollectionsTable {
  id: string;
  user_id: string;
  name: string;
  created_at: number;
}

export interface FavoritesTable {
  id: string;
  user_id: string;
  video_id: string;
  video_realm: string;
  collection_id: string | null;
  created_at: number;
}

export interface SharesTable {
  id: string;
  user_id: string;
  video_id: string;
  video_realm: string;
  channel: string;
  created_at: number;
}

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

export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  blocked_realm: string;
  blocked_handle: string;
  created_at: number;
}

export interface BlockEdgesTable {
  blocker_id: string;
  blocked_id: string;
  created_at: number;
}

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

export interface HandleGramsTable {
  gram: string;
  user_id: string;
}

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

export interface PostHashtagsTable {
  tag: string;
  video_id: string;
  created_at: number;
}

export interface PostSearchTable {
  video_id: string;
  caption: string;
  hashtags: string;
  sound_title: string;
  owner_handle: string;
}

export interface VideoEngagementsTable {
  key: string;
  kind: EngagementKind;
  video_id: string;
  comment_id: string | null;
  actor_id: string | null;
  actor_realm: string | null;
  actor_handle: string | null;
  created_at: number;
}

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

export interface SocialTables {
  posts: PostsTable;
  likes: LikesTable;
  comments: CommentsTable;
  comment_likes: CommentLikesTable;
  favorite_collections: FavoriteCollectionsTable;
  favorites: FavoritesTable;
  shares: SharesTable;
  watch_events: WatchEventsTable;
  blocks: BlocksTable;
  block_edges: BlockEdgesTable;
  notifications: NotificationsTable;
  handle_grams: HandleGramsTable;
  post_index: PostIndexTable;
  post_hashtags: PostHashtagsTable;
  post_search: PostSearchTable;
  video_engagements: VideoEngagementsTable;
  video_comments: VideoCommentsTable;
}

const activity = { video_id: 'operational', video_realm: 'operational', created_at: 'operational' } as const;

export const socialTables = defineTables([
  {
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
  },
  {
    name: 'likes',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'videos a resident liked (their own activity)',
    columns: { id: 'operational', user_id: 'operational', ...activity },
  },
  {
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
  },
  {
    name: 'comment_likes',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'comments a resident liked',
    columns: { id: 'operational', user_id: 'operational', comment_id: 'operational', ...activity },
  },
  {
    name: 'favorite_collections',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'a resident’s named collections of saved videos',
    columns: { id: 'operational', user_id: 'operational', name: 'protected', created_at: 'operational' },
  },
  {
    name: 'favorites',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'videos a resident saved, optionally in a collection',
    columns: { id: 'operational', user_id: 'operational', collection_id: 'operational', ...activity },
  },
  {
    name: 'shares',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'videos a resident shared, and how',
    columns: { id: 'operational', user_id: 'operational', channel: 'protected', ...activity },
  },
  {
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
  },
  {
    name: 'blocks',
    kind: 'resident',
    ownerColumn: 'blocker_id',
    purpose: 'accounts a resident blocked',
    columns: { blocker_id: 'operational', blocked_id: 'operational', blocked_realm: 'operational', blocked_handle: 'public', created_at: 'operational' },
  },
  {
    name: 'notifications',
    kind: 'resident',
    ownerColumn: 'user_id',
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
  },
  {
    name: 'handle_grams',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'trigrams of residents’ public handles, for typo-tolerant account search',
    columns: { gram: 'public', user_id: 'operational' },
  },
  {
    name: 'block_edges',
    kind: 'replica',
    purpose: 'blocks made by anyone against a resident (delivered by social.block), so this realm hides the blocker’s content from them',
    columns: { blocker_id: 'operational', blocked_id: 'operational', created_at: 'operational' },
  },
  {
    name: 'post_index',
    kind: 'replica',
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
  },
  {
    name: 'post_hashtags',
    kind: 'replica',
    purpose: 'hashtag → post index for hashtag pages and trending',
    columns: { tag: 'public', video_id: 'operational', created_at: 'public' },
  },
  {
    name: 'post_search',
    kind: 'replica',
    purpose: 'full-text index over post_index (SQLite FTS5; on PostgreSQL a table with a GIN tsvector index)',
    columns: { video_id: 'operational', caption: 'public', hashtags: 'public', sound_title: 'public', owner_handle: 'public' },
  },
  {
    name: 'video_engagements',
    kind: 'replica',
    purpose: 'public copies of likes, favorites, shares and comment likes on this realm’s videos (counts are recounted from these)',
    columns: {
      key: 'operational',
      kind: 'operational',
      video_id: 'operational',
      comment_id: 'operational',
      actor_id: 'operational',
      actor_realm: 'operational',
      actor_handle: 'public',
      created_at: 'public',
    },
  },
  {
    name: 'video_comments',
    kind: 'replica',
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
  },
]);

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

export const socialMigration: Migration = {
  async up(db: Kysely<any>) {
    const s = db.schema;
    const fk = (c: any) => c.notNull().references('users.id').onDelete('cascade');
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

    for (const [table, owner] of [
      ['likes', 'user_id'],
      ['favorites', 'user_id'],
      ['shares', 'user_id'],
    ] as const) {
      let t = s
        .createTable(table)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn(owner, 'text', fk)
        .addColumn('video_id', 'text', (c) => c.notNull())
        .addColumn('video_realm', 'text', (c) => c.notNull());
      if (table === 'favorites') t = t.addColumn('collection_id', 'text');
      if (table === 'shares') t = t.addColumn('channel', 'text', (c) => c.notNull());
      t = t.addColumn('created_at', 'bigint', (c) => c.notNull());
      if (table !== 'shares') t = t.addUniqueConstraint(`${table}_once`, [owner, 'video_id']);
      await t.execute();
      await s.createIndex(`${table}_by_person`).on(table).columns([owner, 'created_at']).execute();
      await s.createIndex(`${table}_by_video`).on(table).columns(['video_id', 'created_at']).execute();
    }
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
    await s
      .createTable('favorite_collections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', fk)
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('favorite_collections_name', ['user_id', 'name'])
      .execute();
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
    await s
      .createTable('blocks')
      .addColumn('blocker_id', 'text', fk)
      .addColumn('blocked_id', 'text', (c) => c.notNull())
      .addColumn('blocked_realm', 'text', (c) => c.notNull())
      .addColumn('blocked_handle', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('blocks_pk', ['blocker_id', 'blocked_id'])
      .execute();
    await s
      .createTable('block_edges')
      .addColumn('blocker_id', 'text', (c) => c.notNull())
      .addColumn('blocked_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('block_edges_pk', ['blocked_id', 'blocker_id'])
      .execute();
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
    await s
      .createTable('handle_grams')
      .addColumn('gram', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', fk)
      .addPrimaryKeyConstraint('handle_grams_pk', ['gram', 'user_id'])
      .execute();
    await s.createIndex('handle_grams_user').on('handle_grams').columns(['user_id']).execute();

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
    await s
      .createTable('post_hashtags')
      .addColumn('tag', 'text', (c) => c.notNull())
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('post_hashtags_pk', ['tag', 'video_id'])
      .execute();
    await s.createIndex('post_hashtags_page').on('post_hashtags').columns(['tag', 'created_at', 'video_id']).execute();
    await s.createIndex('post_hashtags_video').on('post_hashtags').columns(['video_id']).execute();
    if (dialectOf(db) === 'sqlite') {
      await sql
        .raw(
          `CREATE VIRTUAL TABLE post_search USING fts5(video_id UNINDEXED, caption, hashtags, sound_title, owner_handle, tokenize = 'unicode61 remove_diacritics 2')`,
        )
        .execute(db);
    } else {
      await s
        .createTable('post_search')
        .addColumn('video_id', 'text', (c) => c.primaryKey())
        .addColumn('caption', 'text', (c) => c.notNull())
        .addColumn('hashtags', 'text', (c) => c.notNull())
        .addColumn('sound_title', 'text', (c) => c.notNull())
        .addColumn('owner_handle', 'text', (c) => c.notNull())
        .execute();
      await sql.raw(`CREATE INDEX post_search_fts ON post_search USING gin (${POSTGRES_SEARCH_DOCUMENT})`).execute(db);
    }
    await s
      .createTable('video_engagements')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('comment_id', 'text')
      .addColumn('actor_id', 'text')
      .addColumn('actor_realm', 'text')
      .addColumn('actor_handle', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await s.createIndex('video_engagements_video').on('video_engagements').columns(['video_id', 'kind', 'created_at']).execute();
    await s.createIndex('video_engagements_comment').on('video_engagements').columns(['comment_id', 'kind']).execute();
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
  },
};

/** The tsvector the PostgreSQL GIN index is built on; queries must use the identical expression. */
export const POSTGRES_SEARCH_DOCUMENT =
  "to_tsvector('simple', coalesce(caption, '') || ' ' || coalesce(hashtags, '') || ' ' || coalesce(sound_title, '') || ' ' || coalesce(owner_handle, ''))";

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
