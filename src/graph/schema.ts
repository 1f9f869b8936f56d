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
