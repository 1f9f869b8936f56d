import type { ReelmModule } from '../modules/module.ts';
import { staffRoutes } from './routes.ts';
import { staffMigration, staffSignatureMigration, staffTables, type StaffTables } from './schema.ts';

// Operator staff: justified reads and the hash-chained access log.

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends StaffTables {}
}

export const staffModule: ReelmModule = {
  name: 'staff',
  tables: staffTables,
  migrations: { '0004_staff': staffMigration, '0040_staff_signatures': staffSignatureMigration },
  routes: staffRoutes,
};
