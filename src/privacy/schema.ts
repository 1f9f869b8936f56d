import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// The privacy part's own tables, all resident data of one person that never
// leaves their realm (no flow carries any of it):
//  • privacy_settings — hide liked videos, the daily screen-time reminder;
//  • mutes — accounts whose posts and comments a person does not want to see
//    (the muted person is not told);
//  • keyword_filters — words whose videos and comments a person does not want to see;
//  • private_held_posts — posts whose owner chose "public" while their account is
//    private: stored as followers-only, made public again when the account is.

export interface PrivacySettingsTable {
  user_id: string;
  hide_likes: number;
  /** null: the policy's default for the person's country */
  screen_time_minutes: number | null;
  updated_at: number;
}

export interface MutesTable {
  muter_id: string;
  muted_id: string;
  muted_realm: string;
  muted_handle: string;
  created_at: number;
}

export interface KeywordFiltersTable {
  user_id: string;
  /** lower-cased, trimmed */
  word: string;
  created_at: number;
}

export interface PrivateHeldPostsTable {
  video_id: string;
  owner_id: string;
}

export interface PrivacyTables {
  privacy_settings: PrivacySettingsTable;
  mutes: MutesTable;
  keyword_filters: KeywordFiltersTable;
  private_held_posts: PrivateHeldPostsTable;
}

export const privacyTables = defineTables([
  {
    name: 'privacy_settings',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'a resident’s privacy settings (hide liked videos, daily screen-time reminder)',
    columns: { user_id: 'operational', hide_likes: 'protected', screen_time_minutes: 'protected', updated_at: 'operational' },
  },
  {
    name: 'mutes',
    kind: 'resident',
    ownerColumn: 'muter_id',
    personColumns: ['muted_id'],
    purpose: 'accounts a resident muted (hidden from them; the muted person is not told)',
    columns: { muter_id: 'operational', muted_id: 'operational', muted_realm: 'operational', muted_handle: 'public', created_at: 'operational' },
  },
  {
    name: 'keyword_filters',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'words a resident filters out of the videos and comments they see',
    columns: { user_id: 'operational', word: 'protected', created_at: 'operational' },
  },
  {
    name: 'private_held_posts',
    kind: 'resident',
    ownerColumn: 'owner_id',
    purpose: 'a private account’s posts whose owner chose “public”: followers-only until the account is public again',
    columns: { video_id: 'operational', owner_id: 'operational' },
  },
]);

export const privacyMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('privacy_settings')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('hide_likes', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('screen_time_minutes', 'integer')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('mutes')
      .addColumn('muter_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('muted_id', 'text', (c) => c.notNull())
      .addColumn('muted_realm', 'text', (c) => c.notNull())
      .addColumn('muted_handle', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('mutes_pk', ['muter_id', 'muted_id'])
      .execute();
    await db.schema
      .createTable('keyword_filters')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('word', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('keyword_filters_pk', ['user_id', 'word'])
      .execute();
    await db.schema
      .createTable('private_held_posts')
      .addColumn('video_id', 'text', (c) => c.primaryKey().references('posts.video_id').onDelete('cascade'))
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .execute();
    await db.schema.createIndex('private_held_posts_owner').on('private_held_posts').column('owner_id').execute();
  },
};
