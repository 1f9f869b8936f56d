import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import type { DatabaseConfig } from '../config/config.ts';
import { openDatabase, type SqlDialect } from '../realm/database.ts';
import { preparedQuery } from '../realm/prepared.ts';

// The global directory routes a handle, an email or a user id to a home realm.
// It holds only what routing needs — never a plain email, name, birth date or
// anything else personal: emails are stored as keyed hashes (HMAC-SHA256 with
// the server secret), which route log-ins and keep emails unique across realms.

export interface DirectoryAccountsTable {
  user_id: string;
  realm: string;
  handle_key: string;
  email_key: string;
  /** 'pending' while sign-up is writing the realm row; 'active' after */
  state: 'pending' | 'active';
  updated_at: number;
}
export interface DirectoryDatabase {
  directory_accounts: DirectoryAccountsTable;
}

/** R2: the directory may hold these columns and no others. The schema check enforces it. */
export const DIRECTORY_COLUMN_ALLOWLIST: Record<keyof DirectoryDatabase, readonly string[]> = {
  directory_accounts: ['user_id', 'realm', 'handle_key', 'email_key', 'state', 'updated_at'],
};

const migrations: Record<string, Migration> = {
  '0001_directory': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('directory_accounts')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('realm', 'text', (c) => c.notNull())
        .addColumn('handle_key', 'text', (c) => c.notNull().unique())
        .addColumn('email_key', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};

/** The directory's key for a handle: without a leading @, trimmed, lower-cased. */
export function handleKeyOf(handle: string): string {
  return handle.trim().replace(/^@/, '').toLowerCase();
}

export interface DirectoryEntry {
  userId: string;
  realm: string;
  handleKey: string;
}

/** A sign-up claim left pending longer than this (a crash mid-sign-up) can be taken over. */
const STALE_CLAIM_MS = 10 * 60 * 1000;

// every profile view routes a handle: compiled once (src/realm/prepared.ts)
const activeByHandleKey = preparedQuery(['handleKey'], (db: Kysely<DirectoryDatabase>, p) =>
  db.selectFrom('directory_accounts').select(['user_id', 'realm', 'handle_key']).where('handle_key', '=', p.handleKey).where('state', '=', 'active'),
);

export class Directory {
  readonly db: Kysely<DirectoryDatabase>;
  readonly dialect: SqlDialect;
  readonly #secret: string;

  private constructor(db: Kysely<DirectoryDatabase>, dialect: SqlDialect, secret: string) {
    this.db = db;
    this.dialect = dialect;
    this.#secret = secret;
  }

  static async open(config: DatabaseConfig, secret: string): Promise<Directory> {
    const { db, dialect } = openDatabase<DirectoryDatabase>(config);
    const { error } = await new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableName: 'directory_migrations',
      migrationLockTableName: 'directory_migrations_lock',
    }).migrateToLatest();
    if (error) throw new Error(`directory migration failed: ${(error as Error).message}`);
    return new Directory(db, dialect, secret);
  }

  emailKey(normalizedEmail: string): string {
    return createHmac('sha256', this.#secret).update(`email:${normalizedEmail}`).digest('base64url');
  }

  /**
   * Claims a handle and an email for a new account, atomically across realms.
   * Returns which of the two is taken, if any. Stale pending claims are released first.
   */
  async claim(userId: string, realm: string, handleKey: string, normalizedEmail: string): Promise<'ok' | 'handle_taken' | 'email_taken'> {
    const emailKey = this.emailKey(normalizedEmail);
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('directory_accounts')
        .where('state', '=', 'pending')
        .where('updated_at', '<', now - STALE_CLAIM_MS)
        .where((eb) => eb.or([eb('handle_key', '=', handleKey), eb('email_key', '=', emailKey)]))
        .execute();
      const clash = await trx
        .selectFrom('directory_accounts')
        .select(['handle_key', 'email_key'])
        .where((eb) => eb.or([eb('handle_key', '=', handleKey), eb('email_key', '=', emailKey)]))
        .execute();
      if (clash.some((c) => c.handle_key === handleKey)) return 'handle_taken';
      if (clash.length > 0) return 'email_taken';
      await trx
        .insertInto('directory_accounts')
        .values({ user_id: userId, realm, handle_key: handleKey, email_key: emailKey, state: 'pending', updated_at: now })
        .execute();
      return 'ok';
    });
  }

  async activate(userId: string) {
    await this.db.updateTable('directory_accounts').set({ state: 'active', updated_at: Date.now() }).where('user_id', '=', userId).execute();
  }

  /** Routes an account to a new home realm (a move's switch step; idempotent). */
  async reroute(userId: string, realm: string) {
    await this.db.updateTable('directory_accounts').set({ realm, updated_at: Date.now() }).where('user_id', '=', userId).execute();
  }

  async release(userId: string) {
    await this.db.deleteFrom('directory_accounts').where('user_id', '=', userId).execute();
  }

  /** By handle as a person types it ("@Mia", "mia "): normalised here, once for every caller. */
  async byHandle(handle: string): Promise<DirectoryEntry | undefined> {
    const handleKey = handleKeyOf(handle);
    const [r] = await activeByHandleKey(this.db, { handleKey });
    return r && { userId: r.user_id, realm: r.realm, handleKey: r.handle_key };
  }

  async byEmail(normalizedEmail: string): Promise<DirectoryEntry | undefined> {
    const r = await this.db
      .selectFrom('directory_accounts')
      .select(['user_id', 'realm', 'handle_key'])
      .where('email_key', '=', this.emailKey(normalizedEmail))
      .where('state', '=', 'active')
      .executeTakeFirst();
    return r && { userId: r.user_id, realm: r.realm, handleKey: r.handle_key };
  }

  async byUserId(userId: string): Promise<DirectoryEntry | undefined> {
    const r = await this.db
      .selectFrom('directory_accounts')
      .select(['user_id', 'realm', 'handle_key'])
      .where('user_id', '=', userId)
      .where('state', '=', 'active')
      .executeTakeFirst();
    return r && { userId: r.user_id, realm: r.realm, handleKey: r.handle_key };
  }

  /** Handles whose key starts with a prefix, for typo-tolerant search across realms. */
  async handlesLike(prefix: string, limit: number): Promise<DirectoryEntry[]> {
    const rows = await this.db
      .selectFrom('directory_accounts')
      .select(['user_id', 'realm', 'handle_key'])
      .where('handle_key', 'like', `${prefix.replace(/[%_\\]/g, '')}%`)
      .where('state', '=', 'active')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ userId: r.user_id, realm: r.realm, handleKey: r.handle_key }));
  }

  async close() {
    await this.db.destroy();
  }
}
