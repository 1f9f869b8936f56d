import type { Migration } from 'kysely/migration';
import { accountsMigration, accountTables, type AccountTables } from '../accounts/schema.ts';
import { systemMigration, systemTables, type SystemTables } from './system-schema.ts';
import type { TableSpec } from './tables.ts';

// The one place that lists every realm table and every realm migration.
// A module adds its tables and migration here; the classification check and
// the residency guard are both driven from this list.

export interface RealmDatabase extends SystemTables, AccountTables {}

export const realmTables: readonly TableSpec[] = [...systemTables, ...accountTables];

/** Applied in key order; never edit a landed migration, add a new one. */
export const realmMigrations: Record<string, Migration> = {
  '0000_system': systemMigration,
  '0001_accounts': accountsMigration,
};
