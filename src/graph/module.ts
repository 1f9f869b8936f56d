import type { ReelmModule } from '../modules/module.ts';
import { GRAPH_FLOWS } from './flows.ts';
import { graphRoutes } from './routes.ts';
import { graphMigration, graphTables, type GraphTables } from './schema.ts';

// The follow graph across realms: edges on both sides, kept in step by flows.

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends GraphTables {}
}

export const graphModule: ReelmModule = {
  name: 'graph',
  tables: graphTables,
  migrations: { '0003_graph': graphMigration },
  flows: GRAPH_FLOWS,
  sends: ['graph.follow', 'graph.unfollow', 'graph.followee_gone', 'profile.snapshot'],
  routes: graphRoutes,
};
