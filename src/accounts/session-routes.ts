import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer, SESSION_COOKIE } from '../api/auth.ts';
import { notFound } from '../api/errors.ts';
import { endOtherSessions, endOwnSession, listSessions } from './sessions.ts';

// "Sessions" in settings: see where you are logged in, end one device, or end
// every other one. Only the person's own sessions, from their home realm; no
// token material ever leaves (the hash stays in the table).

const session = z.object({
  id: z.string(),
  kind: z.string().describe('cookie (a browser) or bearer (an app or script)'),
  device: z.string().describe('a short summary of the user agent, e.g. "Firefox on Android"'),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().describe('refreshed at most every five minutes'),
  expiresAt: z.string(),
  current: z.boolean().describe('the session making this request'),
});

export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const dbOf = (realm: string) => app.reelm.realms.get(realm).db;

  app.get(
    '/api/v1/me/sessions',
    {
      schema: {
        tags: ['accounts'],
        summary: 'My live sessions (devices I am logged in on), most recently used first.',
        response: { 200: z.object({ items: z.array(session) }) },
      },
    },
    async (req) => {
      const v = requireViewer(req);
      return { items: await listSessions(dbOf(v.realm), v.userId, v.sessionId) };
    },
  );

  app.delete(
    '/api/v1/me/sessions/others',
    { config: { allowSuspended: true }, schema: { tags: ['accounts'], summary: 'Log out everywhere else: ends every session of mine except this one.' } },
    async (req, reply) => {
      const v = requireViewer(req);
      await endOtherSessions(dbOf(v.realm), v.userId, v.sessionId);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/api/v1/me/sessions/:id',
    {
      config: { allowSuspended: true },
      schema: {
        tags: ['accounts'],
        summary: 'Log out one device: ends one of my sessions (this one too, like DELETE /sessions/current).',
        params: z.object({ id: z.string().regex(/^[0-9a-z]{1,40}$/) }),
      },
    },
    async (req, reply) => {
      const v = requireViewer(req);
      if (!(await endOwnSession(dbOf(v.realm), v.userId, req.params.id))) throw notFound('That session');
      if (req.params.id === v.sessionId) reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );
};
