import type { App } from './app.ts';
import { healthRoutes } from './health-routes.ts';

// Each part of Reelm contributes its routes here.
export async function registerRoutes(app: App) {
  await app.register(healthRoutes);
}
