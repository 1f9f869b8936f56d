import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// The follow graph, split by residency. The follower's realm holds the edge as
// the follower's own data (`follows`, with a public snapshot of whom they
// follow); the followee's realm holds the inbound edge (`follower_edges`, with a
// public snapshot of the follower), delivered by the graph.follow flow. Each
// side's rows are owned by its own resident, so the residency guard, moves and
// deletes treat them as that person's data.

export interface FollowsTable {
  follower_id: string;
  followee_id: string;
  followee_realm: string;
  followee_handle: string;
  followee_display_name: string;
  followee_avatar_key: string | null;
  created_at: number;
}

export interface FollowerEdgesTable {
  followee_id: string;
  follower_id: string;
  follower_realm: string;
  follower_handle: string;
  follower_display_name: string;
  follower_avatar_key: string | null;
  created_at: number;
}

export interface GraphTables {
  follows: FollowsTable;
  follower_edges: FollowerEdgesTable;
}

export const graphTables = defineTables([
  {
    name: 'follows',
    kind: 'resident',
    ownerColumn: 'follower_id',
    personColumns: ['followee_id'],
    purpose: 'accounts a resident follows, with a public snapshot of each (following list)',
    columns: {
      follower_id: 'operational',
      followee_id: 'operational',
      followee_realm: 'public',
      followee_handle: 'public',
      followee_display_name: 'public',
      followee_avatar_key: 'public',
      created_at: 'public',
    },
  },
  {
    name: 'follower_edges',
    kind: 'resident',
    ownerColumn: 'followee_id',
    personColumns: ['follower_id'],
    purpose: 'accounts following a resident, with the follower’s public snapshot (follower list; delivered by graph.follow)',
    columns: {
      followee_id: 'operational',
      follower_id: 'operational',
      follower_realm: 'public',
      follower_handle: 'public',
      follower_display_name: 'public',
      follower_avatar_key: 'public',
      created_at: 'public',
    },
  },
]);

export const graphMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('follows')
      .addColumn('follower_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('followee_id', 'text', (c) => c.notNull())
      .addColumn('followee_realm', 'text', (c) => c.notNull())
      .addColumn('followee_handle', 'text', (c) => c.notNull())
      .addColumn('followee_display_name', 'text', (c) => c.notNull())
      .addColumn('followee_avatar_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('follows_pk', ['follower_id', 'followee_id'])
      .execute();
    await db.schema.createIndex('follows_page').on('follows').columns(['follower_id', 'created_at', 'followee_id']).execute();
    await db.schema
      .createTable('follower_edges')
      .addColumn('followee_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('follower_id', 'text', (c) => c.notNull())
      .addColumn('follower_realm', 'text', (c) => c.notNull())
      .addColumn('follower_handle', 'text', (c) => c.notNull())
      .addColumn('follower_display_name', 'text', (c) => c.notNull())
      .addColumn('follower_avatar_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('follower_edges_pk', ['followee_id', 'follower_id'])
      .execute();
    await db.schema.createIndex('follower_edges_page').on('follower_edges').columns(['followee_id', 'created_at', 'follower_id']).execute();
  },
};

// Follow requests (private accounts). The requester's realm keeps the request
// as the requester's own data (`follow_requests`: pending, or declined so they
// see the outcome); the private account's realm keeps the inbound request
// (`follow_request_edges`) until its owner approves or declines it.

export interface FollowRequestsTable {
  requester_id: string;
  target_id: string;
  target_realm: string;
  target_handle: string;
  target_display_name: string;
  target_avatar_key: string | null;
  state: 'pending' | 'declined';
  created_at: number;
  decided_at: number | null;
}

export interface FollowRequestEdgesTable {
  target_id: string;
  requester_id: string;
  requester_realm: string;
  requester_handle: string;
  requester_display_name: string;
  requester_avatar_key: string | null;
  created_at: number;
}

export interface FollowRequestTables {
  follow_requests: FollowRequestsTable;
  follow_request_edges: FollowRequestEdgesTable;
}

export const followRequestTables = defineTables([
  {
    name: 'follow_requests',
    kind: 'resident',
    ownerColumn: 'requester_id',
    personColumns: ['target_id'],
    purpose: 'follow requests a resident sent to private accounts (pending or declined), with a public snapshot of each account',
    columns: {
      requester_id: 'operational',
      target_id: 'operational',
      target_realm: 'public',
      target_handle: 'public',
      target_display_name: 'public',
      target_avatar_key: 'public',
      state: 'operational',
      created_at: 'operational',
      decided_at: 'operational',
    },
  },
  {
    name: 'follow_request_edges',
    kind: 'resident',
    ownerColumn: 'target_id',
    personColumns: ['requester_id'],
    purpose: 'follow requests a private resident has received and not yet decided, with the requester’s public snapshot (delivered by graph.follow_request)',
    columns: {
      target_id: 'operational',
      requester_id: 'operational',
      requester_realm: 'public',
      requester_handle: 'public',
      requester_display_name: 'public',
      requester_avatar_key: 'public',
      created_at: 'operational',
    },
  },
]);

export const followRequestsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('follow_requests')
      .addColumn('requester_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('target_realm', 'text', (c) => c.notNull())
      .addColumn('target_handle', 'text', (c) => c.notNull())
      .addColumn('target_display_name', 'text', (c) => c.notNull())
      .addColumn('target_avatar_key', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_at', 'bigint')
      .addPrimaryKeyConstraint('follow_requests_pk', ['requester_id', 'target_id'])
      .execute();
    await db.schema
      .createTable('follow_request_edges')
      .addColumn('target_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('requester_id', 'text', (c) => c.notNull())
      .addColumn('requester_realm', 'text', (c) => c.notNull())
      .addColumn('requester_handle', 'text', (c) => c.notNull())
      .addColumn('requester_display_name', 'text', (c) => c.notNull())
      .addColumn('requester_avatar_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('follow_request_edges_pk', ['target_id', 'requester_id'])
      .execute();
    await db.schema.createIndex('follow_request_edges_page').on('follow_request_edges').columns(['target_id', 'created_at']).execute();
  },
};
