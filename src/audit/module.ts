import type { ReelmModule } from '../modules/module.ts';
import { auditAdminRoutes } from './admin-routes.ts';

// The residency audit (`reelm audit`, src/audit/scan.ts) as a part: its one
// route, the administrators' audit of a realm from the admin console.

export const auditModule: ReelmModule = {
  name: 'audit',
  routes: auditAdminRoutes,
};
