import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// The For You feed's tables (docs/FEED.md). All live in the realm that ranks:
//  • resident — a person's own feed state: interests, "not interested", what
//    was shown to them (seen filter; also the "why" of each shown video);
//  • system — realm machinery without a person in it: the ranking model's
//    snapshots, item-to-item co-engagement weights, per-video local stats and
//    trending counters (sums over this realm's residents, never a person's row).

export interface FeedInterestsTable {
  user_id: string;
  /** space-separated hashtag keys */
  tags: string;
  /** space-separated topic ids picked at sign-up (src/feed/topics.ts); '' when set as hashtags */
  topics: string;
  updated_at: number;
}

export interface FeedFeedbackTable {
  user_id: string;
  kind: 'video' | 'creator' | 'sound';
  target_id: string;
  created_at: number;
}

export interface FeedSeenTable {
  user_id: string;
  video_id: string;
  /** the session and page that showed it: re-asking for that page answers the same page */
  session: string;
  page: number;
  source: string;
  /** JSON: the sentence and top features shown by "why this video" */
  why: string;
  shown_at: number;
}

export interface FeedModelsTable {
  version: number;
  /** base64 of OnlineRanker.serialize() (text keeps the schema portable) */
  snapshot: string;
  created_at: number;
}

export interface FeedCoTable {
  video_a: string;
  video_b: string;
  weight: number;
  updated_at: number;
}

export interface FeedVideoStatsTable {
  video_id: string;
  plays: number;
  completions: number;
  likes: number;
  shares: number;
  updated_at: number;
}

export interface FeedTrendTable {
  /** ISO country, or '' for the whole realm */
  country: string;
  day: number;
  video_id: string;
  score: number;
}

export interface FeedSafetyLabelsTable {
  video_id: string;
  label: string;
  created_at: number;
}

/** A person's stored engagement event, waiting for the realm's trainer (deleted in the transaction that learns it). */
export interface FeedPendingTable {
  /** time-ordered id (src/lib/ids.ts) */
  id: string;
  user_id: string;
  video_id: string;
  /** what the person did (named apart from flow fields: protected column names never cross) */
  signal: 'watch' | 'like' | 'favorite' | 'share';
  completed: number;
  skipped: number;
  watched_fraction: number;
  event_at: number;
  queued_at: number;
}
export interface FeedTables {
  feed_pending: FeedPendingTable;
  feed_interests: FeedInterestsTable;
  feed_feedback: FeedFeedbackTable;
  feed_seen: FeedSeenTable;
  feed_models: FeedModelsTable;
  feed_co: FeedCoTable;
  feed_video_stats: FeedVideoStatsTable;
  feed_trend: FeedTrendTable;
  feed_safety_labels: FeedSafetyLabelsTable;
}

export const feedTables = defineTables([
  {
    name: 'feed_pending',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'a resident’s newly stored watches and engagement, until the realm’s trainer has learnt them',
    columns: {
      id: 'operational',
      user_id: 'operational',
      video_id: 'operational',
      signal: 'protected',
      completed: 'protected',
      skipped: 'protected',
      watched_fraction: 'protected',
      event_at: 'protected',
      queued_at: 'operational',
    },
  },
  {
    name: 'feed_interests',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'interests a resident picked (cold start of their For You feed)',
    columns: { user_id: 'operational', tags: 'protected', topics: 'protected', updated_at: 'operational' },
  },
  {
    name: 'feed_feedback',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: '"not interested" a resident said about a video, creator or sound',
    columns: { user_id: 'operational', kind: 'operational', target_id: 'protected', created_at: 'operational' },
  },
  {
    name: 'feed_seen',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'videos the For You feed showed a resident, and why (seen filter, "why this video")',
    columns: {
      user_id: 'operational',
      video_id: 'operational', // as in watch_events: the row is the person's, the id alone is not
      session: 'operational',
      page: 'operational',
      source: 'protected',
      why: 'protected',
      shown_at: 'protected',
    },
  },
  {
    name: 'feed_models',
    kind: 'system',
    purpose: 'snapshots of the realm’s ranking model, trained only on this realm’s residents’ events',
    columns: { version: 'operational', snapshot: 'operational', created_at: 'operational' },
  },
  {
    name: 'feed_co',
    kind: 'system',
    purpose: 'item-to-item co-engagement weights (sums over residents, no person)',
    columns: { video_a: 'operational', video_b: 'operational', weight: 'operational', updated_at: 'operational' },
  },
  {
    name: 'feed_video_stats',
    kind: 'system',
    purpose: 'per-video plays, completions, likes, shares by this realm’s residents (sums)',
    columns: {
      video_id: 'operational',
      plays: 'operational',
      completions: 'operational',
      likes: 'operational',
      shares: 'operational',
      updated_at: 'operational',
    },
  },
  {
    name: 'feed_trend',
    kind: 'system',
    purpose: 'daily trending scores per country of this realm (sums over residents)',
    columns: { country: 'operational', day: 'operational', video_id: 'operational', score: 'operational' },
  },
  {
    name: 'feed_safety_labels',
    kind: 'system',
    purpose: 'safety labels on videos, down-ranked by a configured factor',
    columns: { video_id: 'operational', label: 'operational', created_at: 'operational' },
  },
]);

export const feedMigration: Migration = {
  async up(db) {
    const s = db.schema;
    const fk = (c: any) => c.notNull().references('users.id').onDelete('cascade');
    await s
      .createTable('feed_interests')
      .addColumn('user_id', 'text', (c) => fk(c).primaryKey())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createTable('feed_feedback')
      .addColumn('user_id', 'text', fk)
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('feed_feedback_pk', ['user_id', 'kind', 'target_id'])
      .execute();
    await s
      .createTable('feed_seen')
      .addColumn('user_id', 'text', fk)
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('session', 'text', (c) => c.notNull())
      .addColumn('page', 'integer', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('why', 'text', (c) => c.notNull())
      .addColumn('shown_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('feed_seen_pk', ['user_id', 'video_id'])
      .execute();
    await s.createIndex('feed_seen_recent').on('feed_seen').columns(['user_id', 'shown_at']).execute();
    await s
      .createTable('feed_models')
      .addColumn('version', 'bigint', (c) => c.primaryKey())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createTable('feed_co')
      .addColumn('video_a', 'text', (c) => c.notNull())
      .addColumn('video_b', 'text', (c) => c.notNull())
      .addColumn('weight', 'double precision', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('feed_co_pk', ['video_a', 'video_b'])
      .execute();
    await s.createIndex('feed_co_top').on('feed_co').columns(['video_a', 'weight']).execute();
    await s
      .createTable('feed_video_stats')
      .addColumn('video_id', 'text', (c) => c.primaryKey())
      .addColumn('plays', 'integer', (c) => c.notNull())
      .addColumn('completions', 'integer', (c) => c.notNull())
      .addColumn('likes', 'integer', (c) => c.notNull())
      .addColumn('shares', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createTable('feed_trend')
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('score', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('feed_trend_pk', ['country', 'day', 'video_id'])
      .execute();
    await s.createIndex('feed_trend_top').on('feed_trend').columns(['country', 'day', 'score']).execute();
    await s
      .createTable('feed_safety_labels')
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('feed_safety_labels_pk', ['video_id', 'label'])
      .execute();
  },
};

/** Training off the request path: the queue the engagement hook fills and the trainer drains; feed_co pruned by age. */
export const feedPendingMigration: Migration = {
  async up(db) {
    await db.schema
      .createTable('feed_pending')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('signal', 'text', (c) => c.notNull())
      .addColumn('completed', 'integer', (c) => c.notNull())
      .addColumn('skipped', 'integer', (c) => c.notNull())
      .addColumn('watched_fraction', 'double precision', (c) => c.notNull())
      .addColumn('event_at', 'bigint', (c) => c.notNull())
      .addColumn('queued_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('feed_co_age').on('feed_co').column('updated_at').execute();
    // a session's earlier pages, read per page
    await db.schema.createIndex('feed_seen_session').on('feed_seen').columns(['user_id', 'session', 'page']).execute();
  },
};

/** 0052: the topics a person picked at sign-up, next to the hashtags they stand for. */
export const feedTopicsMigration: Migration = {
  async up(db) {
    await db.schema
      .alterTable('feed_interests')
      .addColumn('topics', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
  },
};
