import type { ReelmModule } from '../modules/module.ts';
import { lifecycleMigration, lifecycleTables } from './lifecycle.ts';
import { systemMigration, systemTables } from './system-schema.ts';

// Realm identity (realm_meta, realm_countries) and lifecycle state (realm_lifecycle) as a module, listed first.
export const realmModule: ReelmModule = {
  name: 'realm',
  tables: [...systemTables, ...lifecycleTables],
  migrations: { '0000_system': systemMigration, '0070_realm_lifecycle': lifecycleMigration },
};
