import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer, SESSION_COOKIE } from '../api/auth.ts';
import { deleteAccount } from './deletion.ts';
import { listExports, requestExport } from './exports.ts';

const exportItem = z.object({
  id: z.string(),
  state: z.enum(['queued', 'building', 'ready', 'failed', 'expired']),
  createdAt: z.string(),
  readyAt: z.string().nullable(),
  expiresAt: z.string().nullable().describe('when the archive is deleted'),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable().describe('SHA-256 of the whole archive'),
  downloadUrl: z.string().nullable().describe('a link for you only (signed in), valid until downloadExpiresAt; list again for a fresh one'),
  downloadExpiresAt: z.string().nullable(),
});

export const rightsRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  const tags = ['rights'];

  app.delete(
    '/api/v1/me',
    {
      config: { allowSuspended: true },
      schema: {
        tags,
        summary:
          'Delete my account, with my password: every session ends at once, every row and file of mine in my home realm is erased before this answers, and every realm holding a public copy is told to delete it.',
        body: z.object({ password: z.string().min(1).max(1024) }),
        response: { 200: z.object({ deleted: z.literal(true), handle: z.string() }) },
      },
    },
    async (req, reply) => {
      const v = requireViewer(req);
      await deleteAccount(reelm, v.realm, v.userId, req.body.password);
      // The request that erased the account is not logged against it: its address would outlive it.
      req.viewer = null;
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { deleted: true as const, handle: v.handle };
    },
  );

  app.post(
    '/api/v1/me/exports',
    {
      config: { allowSuspended: true },
      schema: {
        tags,
        summary:
          'Download your data: prepares an archive (JSON + your original media) in your home realm. It is listed under GET /api/v1/me/exports when ready.',
        response: { 202: exportItem },
      },
    },
    async (req, reply) => {
      const v = requireViewer(req);
      const store = reelm.realms.get(v.realm);
      const row = await requestExport(store, v.userId);
      const [item] = (await listExports(reelm, store, v.userId)).filter((x) => x.id === row.id);
      return reply.status(202).send(item!);
    },
  );

  app.get(
    '/api/v1/me/exports',
    {
      schema: {
        tags,
        summary: 'Your data exports, newest first, with their state and a download link when ready.',
        response: { 200: z.object({ items: z.array(exportItem) }) },
      },
    },
    async (req) => {
      const v = requireViewer(req);
      return { items: await listExports(reelm, reelm.realms.get(v.realm), v.userId) };
    },
  );
};
