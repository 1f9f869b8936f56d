import type { ReelmModule } from '../modules/module.ts';
import { moderationConfigShape } from './config.ts';
import { MODERATION_FLOWS } from './flows.ts';
import { moderationRoutes } from './routes.ts';
import { moderationMigration, moderationTables, type ModerationTables } from './schema.ts';
import { refuseSuspendedWrites } from './write-gate.ts';

// Moderation (docs/MODERATION.md): reports, the per-realm queue for the
// operator's moderators, actions with a reason the creator sees, one appeal,
// labels and information banners. Runs in the content's home realm (R13).

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends ModerationTables {}
}

export const moderationModule: ReelmModule = {
  name: 'moderation',
  tables: moderationTables,
  migrations: { '0060_moderation': moderationMigration },
  flows: MODERATION_FLOWS,
  sends: MODERATION_FLOWS.map((f) => f.name),
  routes: moderationRoutes,
  config: { shape: moderationConfigShape },
  writeGate: refuseSuspendedWrites,
};
