import type { ReelmModule } from '../modules/module.ts';
import { systemMigration, systemTables } from './system-schema.ts';

// Realm identity (realm_meta, realm_countries) as a module, listed first.
export const realmModule: ReelmModule = {
  name: 'realm',
  tables: systemTables,
  migrations: { '0000_system': systemMigration },
};
