import { intervalTask, type ReelmModule } from '../modules/module.ts';
import { feedConfigSchema, type FeedConfig } from './config.ts';
import { queueFeedEvents } from './events.ts';
import { feedRoutes } from './routes.ts';
import { feedMigration, feedPendingMigration, feedTables, feedTopicsMigration, type FeedTables } from './schema.ts';
import { trainingDue, trainPending } from './trainer.ts';

// For You: candidate sources, the per-realm online model and its snapshots,
// re-ranking, "why this video" (docs/FEED.md). The social layer's engagement
// events reach it through the engagement hook (src/modules/engagement.ts):
// the request only queues them; the `feed-training` task learns them.

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends FeedTables {}
}
declare module '../config/config.ts' {
  interface PartConfig {
    /** For You ranking and re-ranking (src/feed/config.ts). */
    feed: FeedConfig;
  }
}

export const feedModule: ReelmModule = {
  name: 'feed',
  tables: feedTables,
  migrations: { '0050_feed': feedMigration, '0051_feed_pending': feedPendingMigration, '0052_feed_topics': feedTopicsMigration },
  routes: feedRoutes,
  config: { shape: { feed: feedConfigSchema } },
  onEngagement: queueFeedEvents,
  tasks: [
    // Per realm: train when enough events are pending or the oldest has waited feed.trainIntervalMs.
    intervalTask(
      'feed-training',
      (reelm) => reelm.config.feed.trainPollMs,
      async (reelm, scope) => {
        for (const store of scope.realms)
          try {
            while (await trainingDue(reelm, store)) if ((await trainPending(reelm, store)).events === 0) break;
          } catch (err) {
            scope.onError(err);
          }
      },
    ),
  ],
};
