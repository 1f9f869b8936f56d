import { join, resolve } from 'node:path';
import { flushRealmLog } from '../residency/realm-log.ts';
import { sql, type Kysely } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import type { BlobConfig, DatabaseConfig, ReelmConfig } from '../config/config.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import { openBlobStore } from '../blobs/open.ts';
import type { RealmInfo } from '../residency/policy.ts';
import { openDatabase, type SqlDialect } from './database.ts';
import { installResidencyGuards } from './guard.ts';
import { fingerprintOf, guardStatements, triggerNames, triggersPresent } from './guard-fingerprint.ts';
import { installSuspensionHolds } from './lifecycle.ts';
import { installPersonHolds } from './person-hold.ts';
import type { RealmSchema } from './realm-schema.ts';
import type { RealmDatabase } from './registry.ts';
import type { FlowTable } from '../flows/flow-table.ts';
import { RealmReader, RealmTransactor } from './transactor.ts';

/** pg advisory lock key for a realm database's start-up section (each realm has its own database). */
const REALM_STARTUP_LOCK = 7_262_001;

// A realm store: the database, blob storage and other stores of one realm,
// opened from that realm's manifest only.

export interface RealmManifest {
  readonly realm: string;
  readonly operator: string;
  readonly database: DatabaseConfig;
  readonly blobs: BlobConfig;
  /** Durable job queue: a table in the realm's own database. */
  readonly queue: { readonly kind: 'database-table'; readonly table: 'jobs' };
  /** Full-text search index: inside the realm's own database (FTS5 / tsvector). */
  readonly searchIndex: { readonly kind: 'database-fts' };
  readonly logs: { readonly dir: string };
  /** Exports ("download your data") are written under this prefix of the realm's blob store. */
  readonly exports: { readonly blobPrefix: 'exports/' };
}

export function manifestFor(config: ReelmConfig, realm: RealmInfo): RealmManifest {
  const dataDir = resolve(config.dataDir);
  const own = config.realms[realm.name] ?? {};
  const realmDir = join(dataDir, 'realms', realm.name);
  return {
    realm: realm.name,
    operator: realm.operator,
    database: own.database ?? { kind: 'sqlite', file: join(realmDir, 'realm.sqlite') },
    blobs: own.blobs ?? { kind: 'local', dir: join(realmDir, 'blobs') },
    queue: { kind: 'database-table', table: 'jobs' },
    searchIndex: { kind: 'database-fts' },
    logs: { dir: join(realmDir, 'logs') },
    exports: { blobPrefix: 'exports/' },
  };
}

/** A manifest with credentials removed, safe to show to people and staff. */
export function describeManifest(m: RealmManifest) {
  return {
    realm: m.realm,
    operator: m.operator,
    database:
      m.database.kind === 'sqlite'
        ? { kind: 'sqlite' }
        : { kind: 'postgres', host: new URL(m.database.url).host, database: new URL(m.database.url).pathname.slice(1) },
    blobs: m.blobs.kind === 'local' ? { kind: 'local' } : { kind: 's3', bucket: m.blobs.bucket },
    queue: m.queue,
    searchIndex: m.searchIndex,
    logs: { kind: 'files' },
    exports: m.exports,
  };
}

export class RealmStore {
  readonly name: string;
  readonly info: RealmInfo;
  readonly manifest: RealmManifest;
  readonly db: Kysely<RealmDatabase>;
  readonly dialect: SqlDialect;
  readonly blobs: BlobStore;
  /** the tables, migrations and flow table this store was opened with */
  readonly schema: RealmSchema;

  private constructor(info: RealmInfo, manifest: RealmManifest, db: Kysely<RealmDatabase>, dialect: SqlDialect, blobs: BlobStore, schema: RealmSchema) {
    this.name = info.name;
    this.info = info;
    this.manifest = manifest;
    this.db = db;
    this.dialect = dialect;
    this.blobs = blobs;
    this.schema = schema;
  }

  get flows(): FlowTable {
    return this.schema.flows;
  }

  /** Reads of this realm (through the pool). */
  reader(): RealmReader {
    return new RealmReader(this);
  }

  /** Runs `fn` in one transaction of this realm's database, with a transactor bound to it (src/realm/transactor.ts). */
  transact<T>(fn: (tx: RealmTransactor) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new RealmTransactor(this, trx)));
  }

  /** Opens the realm's stores from its manifest, migrates, and installs the residency guard. */
  static async open(info: RealmInfo, manifest: RealmManifest, schema: RealmSchema): Promise<RealmStore> {
    const { db, dialect } = openDatabase<RealmDatabase>(manifest.database);
    const store = new RealmStore(info, manifest, db, dialect, openBlobStore(manifest.blobs), schema);
    try {
      await store.#migrate();
    } catch (err) {
      await store.close(); // a refused store (wrong realm, failed migration) must not leave its pool open
      throw err;
    }
    return store;
  }

  /** Names of migrations this code has that the realm's database has not applied (readiness). */
  async pendingMigrations(): Promise<string[]> {
    const provider: MigrationProvider = { getMigrations: async () => ({ ...this.schema.migrations }) };
    const all = await new Migrator({ db: this.db, provider, allowUnorderedMigrations: true }).getMigrations();
    return all.filter((m) => !m.executedAt).map((m) => m.name);
  }

  async #migrate() {
    const provider: MigrationProvider = { getMigrations: async () => ({ ...this.schema.migrations }) };
    const { error, results } = await new Migrator({ db: this.db, provider, allowUnorderedMigrations: true }).migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`realm ${this.name}: migration ${failed ?? '?'} failed: ${(error as Error).message}`);
    }
    const installGuards = async (db: Kysely<any>) => {
      await installResidencyGuards(db, this.dialect, this.schema.tables);
      await installSuspensionHolds(db, this.dialect, this.schema.tables);
      await installPersonHolds(db, this.dialect, this.schema.tables);
    };
    const guardSql = this.dialect === 'postgres' ? await guardStatements(installGuards) : [];
    const fingerprint = fingerprintOf(guardSql);
    await this.db.transaction().execute(async (trx) => {
      // Several processes of one realm start at once (API processes, workers): on PostgreSQL one at
      // a time writes the realm's identity and, when they changed, reinstalls the guards, in this one
      // transaction (DDL is transactional there), so concurrent start-ups neither collide nor let a
      // write pass unguarded. Unchanged guards are left alone: a restart under load takes no table lock.
      if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${REALM_STARTUP_LOCK})`.execute(trx);
      const meta = await trx.selectFrom('realm_meta').selectAll().executeTakeFirst();
      if (meta && meta.realm !== this.name) {
        throw new Error(`store at ${this.manifest.database.kind} belongs to realm "${meta.realm}", not "${this.name}": refusing to open it`);
      }
      if (!meta) await trx.insertInto('realm_meta').values({ realm: this.name, operator: this.info.operator, created_at: Date.now() }).execute();
      else if (meta.operator !== this.info.operator) await trx.updateTable('realm_meta').set({ operator: this.info.operator }).execute();
      // The policy may have moved countries between realms; the guard follows the policy.
      const stored = (await trx.selectFrom('realm_countries').select('country').execute()).map((r) => r.country);
      if (stored.sort().join() !== [...this.info.countries].sort().join()) {
        await trx.deleteFrom('realm_countries').execute();
        for (let i = 0; i < this.info.countries.length; i += 100) {
          await trx
            .insertInto('realm_countries')
            .values(this.info.countries.slice(i, i + 100).map((country) => ({ country })))
            .execute();
        }
      }
      if (this.dialect === 'postgres' && (meta?.guards !== fingerprint || !(await triggersPresent(trx, triggerNames(guardSql))))) {
        await installGuards(trx);
        await trx.updateTable('realm_meta').set({ guards: fingerprint }).execute();
      }
    });
    if (this.dialect === 'sqlite') await installGuards(this.db); // one process per embedded realm: no lock contention
  }

  async close() {
    await flushRealmLog(this.manifest); // a clean stop loses no buffered log line
    await this.db.destroy();
    await this.blobs.close?.();
  }

  /** For tests and the audit command: raw SQL on this realm's own database. */
  raw<T = unknown>(query: string) {
    return sql.raw<T>(query).execute(this.db);
  }
}
