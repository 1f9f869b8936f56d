import type { ReelmModule } from '../modules/module.ts';
import { feedConfigSchema, type FeedConfig } from './config.ts';
import { feedRoutes } from './routes.ts';
import { feedMigration, feedTables, type FeedTables } from './schema.ts';

// For You: candidate sources, the per-realm online model and its snapshots,
// re-ranking, "why this video" (docs/FEED.md). The social layer reports watch and
// engagement events to it (src/feed/events.ts) as they are stored.

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
  migrations: { '0050_feed': feedMigration },
  routes: feedRoutes,
  config: { shape: { feed: feedConfigSchema } },
};
