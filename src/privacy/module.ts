import type { ReelmModule } from '../modules/module.ts';
import { privacyRoutes } from './routes.ts';
import { privacyMigration, privacyTables, type PrivacyTables } from './schema.ts';
import { teenBirthdaysTask } from './birthdays.ts';

// Privacy: a person's own privacy controls (mutes, keyword filters, hide liked
// videos, the screen-time reminder), the posts a private account holds back,
// and the task that refreshes teen protections as birthdays pass. Private
// accounts and follow requests themselves live in the graph and social parts.

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends PrivacyTables {}
}

export const privacyModule: ReelmModule = {
  name: 'privacy',
  tables: privacyTables,
  migrations: { '0093_privacy': privacyMigration },
  routes: privacyRoutes,
  tasks: [teenBirthdaysTask],
};
