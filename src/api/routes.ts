import type { App } from './app.ts';
import { healthRoutes } from './health-routes.ts';
import { accountRoutes } from '../accounts/routes.ts';
import { AccountService } from '../accounts/service.ts';

// Each part of Reelm contributes its routes here.
export async function registerRoutes(app: App) {
  await app.register(healthRoutes);
  await app.register(accountRoutes, { accounts: new AccountService(app.reelm) });
}
