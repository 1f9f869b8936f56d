import type { App } from './app.ts';
import { healthRoutes } from './health-routes.ts';
import { realmRequestLog } from '../residency/request-log.ts';
import { mediaRoutes } from '../media-serving/media-routes.ts';
import { flowRoutes } from '../flows/routes.ts';
import { graphRoutes } from '../graph/routes.ts';
import { staffRoutes } from '../staff/routes.ts';
import { uploadRoutes } from '../media/routes.ts';
import { accountRoutes } from '../accounts/routes.ts';
import { AccountService } from '../accounts/service.ts';
import { socialRoutes } from '../social/routes.ts';
import { feedRoutes } from '../feed/routes.ts';

// Each part of Reelm contributes its routes here.
export async function registerRoutes(app: App) {
  await app.register(realmRequestLog); // first: its hook covers every route
  await app.register(healthRoutes);
  await app.register(mediaRoutes);
  await app.register(flowRoutes);
  await app.register(graphRoutes);
  await app.register(staffRoutes);
  await app.register(uploadRoutes);
  await app.register(accountRoutes, { accounts: new AccountService(app.reelm) });
  await app.register(socialRoutes);
  await app.register(feedRoutes);
}
