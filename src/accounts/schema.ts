import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

export interface UsersTable {
  id: string;
  handle: string;
  /** lower-cased handle, unique */
  handle_key: string;
  email: string;
  password_hash: string;
  birth_date: string;
  country: string;
  home_realm: string;
  display_name: string;
  bio: string;
  avatar_key: string | null;
  /** JSON array of { url, kind, domain } */
  links: string;
  is_private: number;
  follower_count: number;
  following_count: number;
  created_at: number;
  password_changed_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  kind: 'cookie' | 'bearer';
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  user_agent: string | null;
}

export interface AccountTables {
  users: UsersTable;
  sessions: SessionsTable;
}

export const accountTables = defineTables([
  {
    name: 'users',
    kind: 'resident',
    ownerColumn: 'id',
    purpose: 'accounts and public profiles of people whose home is this realm',
    columns: {
      id: 'operational',
      handle: 'public',
      handle_key: 'public',
      email: 'protected',
      password_hash: 'protected',
      birth_date: 'protected',
      country: 'protected',
      home_realm: 'operational',
      display_name: 'public',
      bio: 'public',
      avatar_key: 'public',
      links: 'public',
      is_private: 'public',
      follower_count: 'public',
      following_count: 'public',
      created_at: 'public',
      password_changed_at: 'operational',
    },
  },
  {
    name: 'sessions',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'log-in sessions (browser cookies and API bearer tokens), stored as token hashes',
    columns: {
      id: 'operational',
      user_id: 'operational',
      token_hash: 'protected',
      kind: 'operational',
      created_at: 'operational',
      last_seen_at: 'operational',
      expires_at: 'operational',
      user_agent: 'protected',
    },
  },
]);

export const accountsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('handle_key', 'text', (c) => c.notNull().unique())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('birth_date', 'text', (c) => c.notNull())
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('home_realm', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('bio', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('avatar_key', 'text')
      .addColumn('links', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('is_private', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('follower_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('following_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('password_changed_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('user_agent', 'text')
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  },
};
