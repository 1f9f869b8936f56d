import type { ReelmModule } from '../modules/module.ts';
import { FlowDeliverer } from './deliverer.ts';
import { flowRoutes } from './routes.ts';
import { flowsMigration, flowTables } from './schema.ts';

// The flow machinery as a module: outbox, inbox and sequence tables, the HTTP
// receiving end for realm processes, and the `flow-delivery` task. The flows
// themselves are declared by the modules that receive them.

export const flowsModule: ReelmModule = {
  name: 'flows',
  tables: flowTables,
  migrations: { '0002_flows': flowsMigration },
  routes: flowRoutes,
  tasks: [
    {
      name: 'flow-delivery',
      start(reelm, scope) {
        const deliverer = new FlowDeliverer(reelm, { realms: scope.realms });
        deliverer.start();
        return { stop: () => deliverer.stop() };
      },
    },
  ],
};
