import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from './tables.ts';

// Realm identity: each store knows which realm it is and which countries are
// home to its residents. The residency guard reads these two tables.

export interface RealmMetaTable {
  realm: string;
  operator: string;
  created_at: number;
  /** hash of the guard and hold triggers' SQL last installed (PostgreSQL); null until then */
  guards: string | null;
}
export interface RealmCountriesTable {
  country: string;
}
export interface SystemTables {
  realm_meta: RealmMetaTable;
  realm_countries: RealmCountriesTable;
}

export const systemTables = defineTables([
  {
    name: 'realm_meta',
    kind: 'system',
    purpose: 'the one row naming this store’s realm and operator',
    columns: { realm: 'operational', operator: 'operational', created_at: 'operational', guards: 'operational' },
  },
  {
    name: 'realm_countries',
    kind: 'system',
    purpose: 'countries whose people have this realm as home (from the residency policy)',
    columns: { country: 'operational' },
  },
]);

export const systemMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('realm_meta')
      .addColumn('realm', 'text', (c) => c.primaryKey())
      .addColumn('operator', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('realm_countries')
      .addColumn('country', 'text', (c) => c.primaryKey())
      .execute();
  },
};

/** Lets a start-up see that the installed triggers are current (src/realm/guard-fingerprint.ts). */
export const guardFingerprintMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('realm_meta').addColumn('guards', 'text').execute();
  },
};
