import { intervalTask, type ReelmModule } from '../modules/module.ts';
import { SOCIAL_FLOWS } from './flows.ts';
import { publishPendingStats } from './posts.ts';
import { socialRoutes } from './routes.ts';
import { crossingMigration } from './crossing-migration.ts';
import {
  commentStateMigration,
  postLabelsMigration,
  postPinsMigration,
  socialMigration,
  socialTables,
  teenProtectedMigration,
  type SocialTables,
} from './schema.ts';
import { flushViewRollups } from './view-rollup.ts';
import { viewOnceMigration, viewOnceTables, type ViewClaimsTable } from './view-once.ts';
import { blockedSet } from './visibility.ts';

// Social: posts, engagement, watch events, blocks, the Following feed,
// discovery, search and notifications; and the `post-stats` task, which
// reports due view rollups (social.views) and announces changed counts to
// other realms (social.post_stats).

declare module '../realm/registry.ts' {
  interface RealmDatabase extends SocialTables {
    view_claims: ViewClaimsTable;
  }
}

export const STATS_PUBLISH_INTERVAL_MS = 5000;

export const socialModule: ReelmModule = {
  name: 'social',
  tables: [...socialTables, ...viewOnceTables],
  migrations: {
    '0020_social': socialMigration,
    '0021_comment_state': commentStateMigration,
    '0023_social_crossing': crossingMigration,
    '0024_view_once': viewOnceMigration,
    '0025_post_labels': postLabelsMigration,
    '0094_post_pins': postPinsMigration,
    '0092_post_teen_protected': teenProtectedMigration,
  },
  flows: SOCIAL_FLOWS,
  sends: SOCIAL_FLOWS.map((f) => f.name),
  routes: socialRoutes,
  // blocks are kept here; media-serving refuses a blocked party's links through this (src/modules/blocks.ts)
  blockedAccounts: blockedSet,
  tasks: [
    intervalTask(
      'post-stats',
      () => STATS_PUBLISH_INTERVAL_MS,
      async (reelm, scope) => {
        for (const store of scope.realms) {
          // due view rollups to videos' realms (social.views), then changed counts to other realms (social.post_stats)
          await flushViewRollups(store).catch((err) => scope.onError(err));
          await publishPendingStats(reelm, store).catch((err) => scope.onError(err));
        }
      },
    ),
  ],
};
