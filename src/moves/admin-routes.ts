import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { conflict } from '../api/errors.ts';
import { ADMINISTRATORS, requireStaffOfRealm } from '../staff/staff.ts';
import { LifecycleRefused, resumeRealm, startClosing, suspendRealm } from './realm-lifecycle.ts';

// The admin console's realm lifecycle (web /admin): suspend, resume, start closing — the same service
// `reelm realm suspend|resume|close` calls, for administrators of the operator running the realm.
// Purging a closed realm stays with the CLI (it runs after the download period, with its closing report).

export const lifecycleAdminRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  app.post(
    '/api/v1/admin/realms/:realm/lifecycle',
    {
      schema: {
        tags: ['staff'],
        summary: 'Administrators: suspend, resume or start closing a realm (as `reelm realm suspend|resume|close`).',
        security: [{ bearer: [] }],
        params: z.object({ realm: z.string().max(64) }),
        body: z.object({ action: z.enum(['suspend', 'resume', 'close']), reason: z.string().max(500).optional() }),
        response: { 200: z.object({ realm: z.string(), state: z.string(), closesAt: z.string().nullable() }) },
      },
    },
    async (req) => {
      const { realm } = req.params;
      await requireStaffOfRealm(reelm, req.headers.authorization, realm, ADMINISTRATORS, 'change a realm’s state');
      const reason = req.body.reason?.trim() || undefined;
      try {
        const s =
          req.body.action === 'suspend'
            ? await suspendRealm(reelm, realm, reason)
            : req.body.action === 'resume'
              ? await resumeRealm(reelm, realm)
              : await startClosing(reelm, realm, { reason });
        return { realm, state: s.state, closesAt: s.closesAt === null ? null : new Date(s.closesAt).toISOString() };
      } catch (err) {
        if (err instanceof LifecycleRefused) throw conflict('lifecycle_refused', `${err.message[0]!.toUpperCase()}${err.message.slice(1)}.`);
        throw err;
      }
    },
  );
};
