import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer } from '../api/auth.ts';
import { realmStatus } from '../realm/lifecycle.ts';
import { lifecycleGate } from './gate.ts';

// The residency operations' HTTP side: the gates every request passes (gate.ts), and the state of
// the person's realm, which a client shows as a banner while the realm is closing.

export const movesRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  await app.register(lifecycleGate);

  app.get(
    '/api/v1/me/realm-status',
    {
      schema: {
        tags: ['residency'],
        summary: 'The state of my home realm: open, or closing (with the date until which I can download my data).',
        response: {
          200: z.object({
            realm: z.string(),
            state: z.enum(['open', 'suspended', 'closing', 'purging', 'closed']),
            closesAt: z.string().nullable(),
            message: z.string().nullable(),
          }),
        },
      },
    },
    async (req) => {
      const viewer = requireViewer(req);
      const s = await realmStatus(reelm.realms.get(viewer.realm));
      const closesAt = s.closesAt === null ? null : new Date(s.closesAt).toISOString();
      return {
        realm: viewer.realm,
        state: s.state,
        closesAt,
        message:
          s.state === 'closing' || s.state === 'purging'
            ? `Reelm is closing your home realm. Download your data before ${closesAt}: after that everything is deleted.`
            : null,
      };
    },
  );
};
// The gates must cover every route of the app, so this plugin is not encapsulated (as fastify-plugin does).
(movesRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
