import type { ReelmModule } from '../modules/module.ts';
import { lifecycleMigration, lifecycleTables } from './lifecycle.ts';
import { personHoldMigration, personHoldTables } from './person-hold.ts';
import { guardFingerprintMigration, systemMigration, systemTables } from './system-schema.ts';

// Realm identity (realm_meta, realm_countries) lifecycle state (realm_lifecycle) and holds on one person's data (held_people) as a module, listed first.
export const realmModule: ReelmModule = {
  name: 'realm',
  tables: [...systemTables, ...lifecycleTables, ...personHoldTables],
  migrations: {
    '0000_system': systemMigration,
    '0070_realm_lifecycle': lifecycleMigration,
    '0073_person_hold': personHoldMigration,
    '0074_guard_fingerprint': guardFingerprintMigration,
  },
};
