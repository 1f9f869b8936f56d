import type { ReelmModule } from '../modules/module.ts';
import { GRAPH_FLOWS } from './flows.ts';
import { followRequestRoutes } from './request-routes.ts';
import { graphRoutes } from './routes.ts';
import { cutEdges, dropFollow } from './service.ts';
import { followRequestsMigration, followRequestTables, graphMigration, graphTables, type FollowRequestTables, type GraphTables } from './schema.ts';

// The follow graph across realms: edges on both sides, kept in step by flows.

declare module '../realm/registry.ts' {
  interface RealmDatabase extends GraphTables, FollowRequestTables {}
}

export const graphModule: ReelmModule = {
  name: 'graph',
  tables: [...graphTables, ...followRequestTables],
  migrations: { '0003_graph': graphMigration, '0091_follow_requests': followRequestsMigration },
  flows: GRAPH_FLOWS,
  sends: GRAPH_FLOWS.map((f) => f.name),
  // A block ends the follows between the two: both edges in the blocker's realm, the blocked person's follow in theirs.
  onBlock: async (tx, side, e) => {
    if (side === 'blocked') return dropFollow(tx.db, e.blocked.id, e.blockerId);
    await cutEdges(tx, e.blockerId, e.blocked);
    return true;
  },
  routes: async (app) => {
    await app.register(graphRoutes);
    await app.register(followRequestRoutes);
  },
};
