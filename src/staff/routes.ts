import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer } from '../api/auth.ts';
import { notFound } from '../api/errors.ts';
import { describeManifest } from '../realm/store.ts';
import { signedHead } from './audit-chain.ts';
import { adminRoutes } from './admin-routes.ts';
import { accessLogOf, requireJustification, requireMayReadProtected, requireStaffToken, staffRead } from './staff.ts';

// Person-facing transparency (where my data lives, who of the staff read it)
// and the staff read route. Staff authenticate with a staff token
// (`reelm staff add`), never with a person's session.

const signedHeadSchema = z.object({
  realm: z.string(),
  seq: z.number(),
  hash: z.string(),
  signedAt: z.string(),
  signature: z.string(),
  publicKey: z.string(),
});

const accessItem = z.object({
  seq: z.number(),
  hash: z.string(),
  at: z.string(),
  staffId: z.string(),
  staffName: z.string(),
  role: z.string(),
  operator: z.string(),
  action: z.string(),
  fields: z.array(z.string()),
  justification: z.string(),
});

export const staffRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  await app.register(adminRoutes);

  app.get(
    '/api/v1/me/residency',
    {
      schema: {
        tags: ['residency'],
        summary: 'Where my data lives: my home realm, the operator that runs it, and its stores.',
        response: {
          200: z.object({
            realm: z.object({ name: z.string(), displayName: z.string() }),
            operator: z.object({ id: z.string(), name: z.string() }),
            stores: z.record(z.string(), z.unknown()),
            flows: z.string(),
          }),
        },
      },
    },
    async (req) => {
      const viewer = requireViewer(req);
      const store = reelm.realms.get(viewer.realm);
      return {
        realm: { name: store.name, displayName: store.info.displayName },
        operator: { id: store.info.operator, name: store.info.operatorName },
        stores: describeManifest(store.manifest),
        flows: 'Only the public data listed in the published flow table (docs/RESIDENCY.md) leaves this realm.',
      };
    },
  );

  app.get(
    '/api/v1/me/access-log',
    {
      schema: {
        tags: ['residency'],
        summary:
          'Every time staff read my protected data: who, when, which fields, and why — with the signed chain head these entries chain to (save it; `reelm audit-log verify --against` checks it later).',
        response: { 200: z.object({ entries: z.array(accessItem), head: signedHeadSchema }) },
      },
    },
    async (req) => {
      const viewer = requireViewer(req);
      const store = reelm.realms.get(viewer.realm);
      const entries = await accessLogOf(store, viewer.userId);
      return { entries, head: await signedHead(store, reelm.auditKey) };
    },
  );

  app.get(
    '/api/v1/realms/:realm/audit-head',
    {
      schema: {
        tags: ['residency'],
        summary:
          'Public: the signed head of a realm’s staff access chain (Ed25519; verify with publicKey). Save it; a later truncation or rewrite of the chain no longer contains it.',
        params: z.object({ realm: z.string().max(64) }),
        response: { 200: signedHeadSchema },
      },
    },
    async (req) => {
      if (!reelm.realms.has(req.params.realm)) throw notFound('That realm');
      return signedHead(reelm.realms.get(req.params.realm), reelm.auditKey);
    },
  );

  const requireStaff = (authorization: string | undefined) => requireStaffToken(reelm, authorization);

  app.post(
    '/api/v1/staff/reads',
    {
      schema: {
        tags: ['staff'],
        summary: 'Staff: read a person’s protected account data. Needs a justification; the person sees it in their access log.',
        body: z.object({ handle: z.string().max(64).optional(), userId: z.string().max(64).optional(), justification: z.string().max(2000).optional() }),
        response: {
          200: z.object({
            id: z.string(),
            handle: z.string(),
            realm: z.string(),
            email: z.string(),
            birthDate: z.string(),
            country: z.string(),
            activeSessions: z.number(),
            accessSeq: z.number(),
          }),
        },
      },
    },
    async (req) => {
      const staff = await requireStaff(req.headers.authorization);
      // Before the handle is resolved: a bad justification or a role that may not read answers the same for every account, known or not.
      requireJustification(req.body.justification);
      requireMayReadProtected(staff);
      let userId = req.body.userId;
      if (!userId && req.body.handle) userId = (await reelm.directory.byHandle(req.body.handle))?.userId;
      if (!userId) throw notFound('That account');
      return staffRead(reelm, staff, userId, req.body.justification);
    },
  );
};
