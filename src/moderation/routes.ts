import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer } from '../api/auth.ts';
import { setWithdrawnMediaCheck } from '../media-serving/access.ts';
import { act, ALLOWED, appeal, decideAppeal } from './actions.ts';
import { decisionView, decisionsOf, pendingAppeals, reportQueue } from './queue.ts';
import { ACCOUNT_LABELS, NOTE_MAX, REASON_TEXT_MAX, REPORT_REASONS, VIDEO_LABELS } from './reasons.ts';
import { fileReport } from './reports.ts';
import { requireModerator } from './staff-access.ts';
import { withdrawnMediaCheck } from './withdrawn-media.ts';

// People report and appeal with their session; moderators work with a staff
// token (`reelm staff add --role moderator`), only in realms of their operator.

const targetKind = z.enum(['video', 'comment', 'account']);
const decision = z.object({
  id: z.string(),
  target: z.object({ kind: targetKind, id: z.string() }),
  action: z.string(),
  label: z.string().nullable(),
  reasonCode: z.string(),
  reasonText: z.string(),
  state: z.string(),
  createdAt: z.string(),
  appeal: z
    .object({ text: z.string(), at: z.string(), decision: z.string().nullable(), decisionText: z.string().nullable(), decidedAt: z.string().nullable() })
    .nullable(),
  mayAppeal: z.boolean(),
});
const realmParams = z.object({ realm: z.string().max(64) });

export const moderationRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  setWithdrawnMediaCheck(reelm, withdrawnMediaCheck(reelm));

  app.get(
    '/api/v1/moderation/vocabulary',
    {
      schema: {
        tags: ['moderation'],
        summary:
          'Public: the reasons a report (or a moderator’s action) may give, the actions a moderator may take on each kind of target, and the labels they may put on a video or an account — what a client offers.',
        response: {
          200: z.object({
            reasons: z.array(z.string()),
            actions: z.record(targetKind, z.array(z.string())),
            labels: z.object({ video: z.array(z.string()), account: z.array(z.string()) }),
          }),
        },
      },
    },
    async () => ({
      reasons: [...REPORT_REASONS],
      actions: { video: [...ALLOWED.video], comment: [...ALLOWED.comment], account: [...ALLOWED.account] },
      labels: { video: [...VIDEO_LABELS], account: [...ACCOUNT_LABELS] },
    }),
  );

  app.post(
    '/api/v1/reports',
    {
      schema: {
        tags: ['moderation'],
        summary:
          'Report a video, comment or account. The report (reason and note, never who you are) goes to the moderators of the realm where that content lives. Reporting the same thing again counts once.',
        body: z.object({
          target: z.object({ kind: targetKind, id: z.string().min(1).max(64).describe('video id, comment id, or account id or handle') }),
          reason: z.enum(REPORT_REASONS),
          note: z.string().max(NOTE_MAX).optional().describe('optional; shown to the moderators of the content’s realm'),
        }),
        response: {
          201: z.object({ id: z.string(), duplicate: z.boolean(), realm: z.string() }),
          200: z.object({ id: z.string(), duplicate: z.boolean(), realm: z.string() }),
        },
      },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const r = await fileReport(reelm, viewer, { kind: req.body.target.kind, id: req.body.target.id, reason: req.body.reason, note: req.body.note });
      return reply.code(r.created ? 201 : 200).send({ id: r.id, duplicate: !r.created, realm: r.realm });
    },
  );

  app.get(
    '/api/v1/me/moderation',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Moderation decisions about my videos, comments and account, with the reason, and my appeal if I made one.',
        response: { 200: z.object({ items: z.array(decision) }) },
      },
    },
    async (req) => {
      const viewer = requireViewer(req);
      return { items: await decisionsOf(reelm.realms.get(viewer.realm), viewer.userId) };
    },
  );

  app.post(
    '/api/v1/me/appeals',
    {
      config: { allowSuspended: true },
      schema: {
        tags: ['moderation'],
        summary: 'Appeal a moderation decision about my content or account (once per decision).',
        body: z.object({ actionId: z.string().min(1).max(64), text: z.string().max(REASON_TEXT_MAX) }),
        response: { 201: decision },
      },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      return reply.code(201).send(decisionView(await appeal(reelm, viewer, req.body.actionId, req.body.text)));
    },
  );

  app.get(
    '/api/v1/admin/realms/:realm/reports',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Moderators: the realm’s open reports, grouped by target, most reported first.',
        params: realmParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                target: z.object({ kind: targetKind, id: z.string(), ownerId: z.string(), ownerHandle: z.string(), preview: z.string() }),
                reports: z.number(),
                reasons: z.record(z.string(), z.number()),
                notes: z.array(z.string()),
                firstAt: z.string(),
                lastAt: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const { store } = await requireModerator(reelm, req.headers.authorization, req.params.realm);
      return { items: await reportQueue(store, req.query.limit) };
    },
  );

  app.post(
    '/api/v1/admin/realms/:realm/actions',
    {
      schema: {
        tags: ['moderation'],
        summary:
          'Moderators: act on a video (remove, restrict_followers, age_restrict, label, warn), a comment (remove, warn) or an account (label, warn, suspend), or dismiss its reports. The creator is told the reason and may appeal once.',
        params: realmParams,
        body: z.object({
          target: z.object({ kind: targetKind, id: z.string().min(1).max(64) }),
          action: z.enum(['remove', 'restrict_followers', 'age_restrict', 'label', 'warn', 'suspend', 'dismiss']),
          label: z.string().max(40).optional(),
          reasonCode: z.enum(REPORT_REASONS),
          reasonText: z.string().max(REASON_TEXT_MAX).describe('shown to the creator'),
        }),
        response: { 201: decision },
      },
    },
    async (req, reply) => {
      const { staff, store } = await requireModerator(reelm, req.headers.authorization, req.params.realm);
      const a = await act(reelm, staff, store, {
        targetKind: req.body.target.kind,
        targetId: req.body.target.id,
        action: req.body.action,
        label: req.body.label,
        reasonCode: req.body.reasonCode,
        reasonText: req.body.reasonText,
      });
      return reply.code(201).send(decisionView(a));
    },
  );

  app.get(
    '/api/v1/admin/realms/:realm/appeals',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Moderators: appeals waiting for a decision, oldest first.',
        params: realmParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(decision) }) },
      },
    },
    async (req) => {
      const { store } = await requireModerator(reelm, req.headers.authorization, req.params.realm);
      return { items: await pendingAppeals(store, req.query.limit) };
    },
  );

  app.post(
    '/api/v1/admin/realms/:realm/appeals/:actionId/decision',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Moderators: decide an appeal — uphold keeps the decision, reverse lifts it. The creator is told why.',
        params: realmParams.extend({ actionId: z.string().max(64) }),
        body: z.object({ decision: z.enum(['uphold', 'reverse']), text: z.string().max(REASON_TEXT_MAX) }),
        response: { 200: decision },
      },
    },
    async (req) => {
      const { staff, store } = await requireModerator(reelm, req.headers.authorization, req.params.realm);
      return decisionView(await decideAppeal(reelm, staff, store, req.params.actionId, req.body.decision, req.body.text));
    },
  );
};
