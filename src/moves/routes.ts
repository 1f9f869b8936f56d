import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer } from '../api/auth.ts';
import { AppError, badRequest, conflict, forbidden } from '../api/errors.ts';
import { realmStatus } from '../realm/lifecycle.ts';
import { staffByToken } from '../staff/staff.ts';
import { lifecycleAdminRoutes } from './admin-routes.ts';
import { lifecycleGate } from './gate.ts';
import { findActiveMove, MoveRefused, requestMove } from './move.ts';
import type { AccountMovesTable } from './schema.ts';
import { wakeMoveDriver } from './driver.ts';

const moveAnswer = z.object({
  moveId: z.string(),
  from: z.string(),
  to: z.string(),
  step: z.string(),
  requestedAt: z.string(),
});
const answer = (m: AccountMovesTable) => ({
  moveId: m.id,
  from: m.from_realm,
  to: m.to_realm,
  step: m.step,
  requestedAt: new Date(Number(m.created_at)).toISOString(),
});
const refusal = (err: unknown): never => {
  if (err instanceof MoveRefused) throw conflict('move_refused', err.message);
  throw err;
};

// The residency operations' HTTP side: the gates every request passes (gate.ts), and the state of
// the person's realm, which a client shows as a banner while the realm is closing.

export const movesRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  await app.register(lifecycleGate);
  await app.register(lifecycleAdminRoutes);

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

  // A person asks to move after their country changed: allowed when the policy homes the new country
  // in another realm. The move runs in the background (src/moves/driver.ts); 202 means it is recorded.
  app.post(
    '/api/v1/me/move-request',
    {
      config: { allowSuspended: true },
      schema: {
        tags: ['residency'],
        summary: 'Move my account to the home realm of my new country (when the policy homes it elsewhere).',
        body: z.object({ country: z.string().max(8).describe('ISO 3166-1 alpha-2, e.g. DE') }),
        response: { 202: moveAnswer },
      },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const country = req.body.country.trim().toUpperCase();
      const to = /^[A-Z]{2}$/.test(country) ? reelm.policy.homeRealmFor(country) : undefined;
      if (!to) throw badRequest('unknown_country', `"${req.body.country}" is not a country code we know. Use an ISO 3166-1 code such as US, DE or BR.`);
      if (reelm.policy.unavailableIn(country)) throw new AppError(451, 'country_unavailable', 'Reelm is not available in that country.');
      if (to === viewer.realm) throw conflict('same_realm', `Your data already lives in the home realm of ${country}; nothing needs to move.`);
      const move = await requestMove(reelm, { person: viewer.userId, to, country, requestedBy: 'person' }).catch(refusal);
      wakeMoveDriver();
      return reply.status(202).send(answer(move));
    },
  );

  // The operator's staff move a person (administrators only; staff of the operator running the person's realm).
  app.post(
    '/api/v1/staff/moves',
    {
      schema: {
        tags: ['staff'],
        summary: 'Move a person to another realm (staff administrators of the operator running their realm).',
        security: [{ bearer: [] }],
        body: z.object({ handle: z.string().max(64), to: z.string().max(16), country: z.string().max(8).optional() }),
        response: { 202: moveAnswer },
      },
    },
    async (req, reply) => {
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
      const staff = token ? await staffByToken(reelm, token) : undefined;
      if (!staff) throw new AppError(401, 'staff_unauthenticated', 'This needs a staff token.');
      if (staff.role !== 'administrator') throw forbidden('role_not_allowed', `The ${staff.role} role cannot move accounts.`);
      const entry = await reelm.directory.byHandle(req.body.handle);
      // another operator's person answers like a missing one
      if (!entry || reelm.policy.realms.get(entry.realm)?.operator !== staff.operator)
        throw new AppError(404, 'not_found', 'That account does not exist or you cannot see it.');
      if (!reelm.policy.realms.has(req.body.to)) throw badRequest('unknown_realm', `There is no realm "${req.body.to}".`);
      const active = await findActiveMove(reelm, entry.userId);
      const move =
        active?.move ??
        (await requestMove(reelm, { person: entry.userId, to: req.body.to, country: req.body.country, requestedBy: `staff:${staff.id}` }).catch(refusal));
      wakeMoveDriver();
      return reply.status(202).send(answer(move));
    },
  );
};
// The gates must cover every route of the app, so this plugin is not encapsulated (as fastify-plugin does).
(movesRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
