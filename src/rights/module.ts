import { intervalTask, type ReelmModule } from '../modules/module.ts';
import { rightsConfigSchema, type RightsConfig } from './config.ts';
import { finishPendingErasures } from './deletion.ts';
import { EXPORT_JOB, expireExports, exportJobHandler } from './exports.ts';
import { RIGHTS_FLOWS } from './flows.ts';
import { rightsRoutes } from './routes.ts';
import { rightsMigration, rightsTables, type RightsTables } from './schema.ts';

// The person's rights over their data (docs/RIGHTS.md): the enumeration of
// everything a realm holds of them (person-data.ts, shared with moves), "download
// your data" (exports.ts, archive.ts), account deletion and import.

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends RightsTables {}
}
declare module '../config/config.ts' {
  interface PartConfig {
    /** Export retention, download links, sweeps (src/rights/config.ts). */
    rights: RightsConfig;
  }
}

const sweep = intervalTask(
  'rights-sweep',
  (reelm) => reelm.config.rights.sweepSeconds * 1000,
  async (reelm, scope) => {
    for (const store of scope.realms) {
      await expireExports(reelm, store).catch((err) => scope.onError(err));
      await finishPendingErasures(reelm, store).catch((err) => scope.onError(err));
    }
  },
);

export const rightsModule: ReelmModule = {
  name: 'rights',
  tables: rightsTables,
  migrations: { '0071_rights': rightsMigration },
  flows: RIGHTS_FLOWS,
  sends: [
    'accounts.deleted',
    'graph.unfollow',
    'graph.followee_gone',
    'social.engagement_removed',
    'social.comment_removed',
    'social.unblock',
    'social.post_removed',
  ],
  jobs: { kinds: [EXPORT_JOB], handlers: (reelm) => ({ [EXPORT_JOB]: exportJobHandler(reelm) }) },
  routes: rightsRoutes,
  config: { shape: { rights: rightsConfigSchema } },
  tasks: [sweep],
};
