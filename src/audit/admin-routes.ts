import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ADMINISTRATORS, requireStaffOfRealm } from '../staff/staff.ts';
import { auditReelm } from './scan.ts';

// The admin console's residency audit (web /admin): the same checks as
// `reelm audit`, for one realm of the administrator's own operator.

const realmParams = z.object({ realm: z.string().max(64) });

export const auditAdminRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;

  app.get(
    '/api/v1/admin/realms/:realm/residency-audit',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Administrators: run the residency audit of one realm of my operator now (as `reelm audit`: data outside its home realm, unclassified schema, orphaned files).',
        security: [{ bearer: [] }],
        params: realmParams,
        response: {
          200: z.object({
            ok: z.boolean(),
            realm: z.object({ realm: z.string(), tables: z.number(), rows: z.number(), files: z.number(), bytes: z.number() }),
            findings: z.array(z.object({ kind: z.string(), table: z.string().optional(), count: z.number().optional(), message: z.string() })),
            seconds: z.number(),
          }),
        },
      },
    },
    async (req) => {
      const { store } = await requireStaffOfRealm(reelm, req.headers.authorization, req.params.realm, ADMINISTRATORS, 'run the residency audit');
      const report = await auditReelm(reelm, [store]);
      return {
        ok: report.findings.length === 0,
        realm: report.realms[0]!,
        // samples name people: the console shows the kind, the table and the count
        findings: report.findings.map((f) => ({ kind: f.kind, table: f.table, count: f.count, message: f.message })),
        seconds: report.seconds,
      };
    },
  );
};
