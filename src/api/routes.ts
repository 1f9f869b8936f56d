import type { App } from './app.ts';
import { healthRoutes } from './health-routes.ts';
import { realmRequestLog } from '../residency/request-log.ts';

// The route tree: the machinery's own routes, then each module's routes in the
// order the composition root lists the modules.
export async function registerRoutes(app: App) {
  await app.register(realmRequestLog); // first: its hook covers every route
  await app.register(healthRoutes);
  for (const { plugin } of app.reelm.composition.routes) await app.register(plugin);
}
