import type { Migration } from 'kysely/migration';
import { accountsMigration, accountTables, type AccountTables } from '../accounts/schema.ts';
import { jobsMigration, jobTables, type JobTables } from '../jobs/schema.ts';
import { mediaMigration, mediaTables, type MediaTables } from '../media/schema.ts';
import { flowsMigration, flowTables, type FlowTables } from '../flows/schema.ts';
import { graphMigration, graphTables, type GraphTables } from '../graph/schema.ts';
import { staffMigration, staffSignatureMigration, staffTables, type StaffTables } from '../staff/schema.ts';
import { commentStateMigration, socialMigration, socialTables, type SocialTables } from '../social/schema.ts';
import { crossingMigration } from '../social/crossing-migration.ts';
import { systemMigration, systemTables, type SystemTables } from './system-schema.ts';
import type { TableSpec } from './tables.ts';

// The one place that lists every realm table and every realm migration.
// A module adds its tables and migration here; the classification check and
// the residency guard are both driven from this list.

export interface RealmDatabase extends SystemTables, AccountTables, JobTables, MediaTables, FlowTables, GraphTables, StaffTables, SocialTables {}

export const realmTables: readonly TableSpec[] = [
  ...systemTables,
  ...accountTables,
  ...jobTables,
  ...mediaTables,
  ...flowTables,
  ...graphTables,
  ...staffTables,
  ...socialTables,
];

/** Applied in key order; never edit a landed migration, add a new one. */
export const realmMigrations: Record<string, Migration> = {
  '0000_system': systemMigration,
  '0001_accounts': accountsMigration,
  '0002_flows': flowsMigration,
  '0003_graph': graphMigration,
  '0004_staff': staffMigration,
  '0010_jobs': jobsMigration,
  '0011_media': mediaMigration,
  '0020_social': socialMigration,
  '0021_comment_state': commentStateMigration,
  '0023_social_crossing': crossingMigration,
  '0040_staff_signatures': staffSignatureMigration,
};
