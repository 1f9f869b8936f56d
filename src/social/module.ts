import { intervalTask, type ReelmModule } from '../modules/module.ts';
import { SOCIAL_FLOWS } from './flows.ts';
import { publishPendingStats } from './posts.ts';
import { socialRoutes } from './routes.ts';
import { socialMigration, socialTables, type SocialTables } from './schema.ts';

// Social: posts, engagement, watch events, blocks, the Following feed,
// discovery, search and notifications; and the `post-stats` task, which
// announces changed counts to other realms (social.post_stats).

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends SocialTables {}
}

export const STATS_PUBLISH_INTERVAL_MS = 5000;

export const socialModule: ReelmModule = {
  name: 'social',
  tables: socialTables,
  migrations: { '0020_social': socialMigration },
  flows: SOCIAL_FLOWS,
  sends: SOCIAL_FLOWS.map((f) => f.name),
  routes: socialRoutes,
  tasks: [
    intervalTask(
      'post-stats',
      () => STATS_PUBLISH_INTERVAL_MS,
      async (reelm, scope) => {
        for (const store of scope.realms) await publishPendingStats(reelm, store).catch((err) => scope.onError(err));
      },
    ),
  ],
};
