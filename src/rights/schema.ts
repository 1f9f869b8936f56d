import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../realm/database.ts';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// The rights part's tables. An export is the person's own record (resident,
// moved and deleted with them). A deletion outlives the person's users row, so
// its progress is a system row holding only the id of an account that no longer
// exists — what a re-run needs to finish the job after a crash; removed when done.

export type ExportState = 'queued' | 'building' | 'ready' | 'failed' | 'expired';

export interface DataExportsTable {
  id: string;
  user_id: string;
  state: ExportState;
  archive_key: string | null;
  size_bytes: number | null;
  sha256: string | null;
  error_code: string | null;
  created_at: number;
  ready_at: number | null;
  expires_at: number | null;
}

/** home: the realm erasing its resident; copy: a realm removing its public copies (after accounts.deleted) */
export type DeletionRole = 'home' | 'copy';

export interface AccountDeletionsTable {
  user_id: string;
  role: DeletionRole;
  requested_at: number;
  /** when the stores were first purged; on PostgreSQL a second VACUUM FULL one sweep later removes row
   * versions a concurrent snapshot still protected the first time */
  purged_at: number | null;
}

export interface RightsTables {
  data_exports: DataExportsTable;
  account_deletions: AccountDeletionsTable;
}

export const rightsTables = defineTables([
  {
    name: 'data_exports',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: '“download your data” requests of a resident and their archives (exports/<id>/…), deleted after a stated time',
    columns: {
      id: 'operational',
      user_id: 'operational',
      state: 'operational',
      archive_key: 'operational',
      size_bytes: 'operational',
      sha256: 'operational',
      error_code: 'operational',
      created_at: 'operational',
      ready_at: 'operational',
      expires_at: 'operational',
    },
  },
  {
    name: 'account_deletions',
    kind: 'system',
    personColumns: ['user_id'],
    purpose: 'progress of account deletions, so a deletion interrupted by a crash is finished by a re-run; holds only the deleted account’s id',
    columns: { user_id: 'operational', role: 'operational', requested_at: 'operational', purged_at: 'operational' },
  },
]);

export const rightsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('data_exports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('archive_key', 'text')
      .addColumn('size_bytes', 'bigint')
      .addColumn('sha256', 'text')
      .addColumn('error_code', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('ready_at', 'bigint')
      .addColumn('expires_at', 'bigint')
      .execute();
    await db.schema.createIndex('data_exports_user').on('data_exports').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('data_exports_expiry').on('data_exports').columns(['state', 'expires_at']).execute();
    await db.schema
      .createTable('account_deletions')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('purged_at', 'bigint')
      .execute();
    // FTS5 keeps deleted tokens in its index segments until they merge; secure-delete removes them at once.
    if (dialectOf(db) === 'sqlite') await sql`INSERT INTO post_search(post_search, rank) VALUES('secure-delete', 1)`.execute(db);
  },
};
