import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer } from '../api/auth.ts';
import { notFound } from '../api/errors.ts';
import { handleKeyOf } from '../directory/directory.ts';
import { decideRequest, listIncoming, listSent, type RequestItem } from './requests.ts';

// Follow requests: a private account's owner lists, approves and declines the
// requests it received; a requester lists what they sent (pending or declined).

const handleParam = z.object({ handle: z.string().min(1).max(64) });
const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });
const item = z.object({
  id: z.string(),
  handle: z.string(),
  displayName: z.string(),
  realm: z.string(),
  avatarUrl: z.string().nullable(),
  requestedAt: z.string(),
});
const sentItem = item.extend({ state: z.enum(['pending', 'declined']) });
const decided = z.object({ handle: z.string(), approved: z.boolean() });

function toItem(r: RequestItem) {
  return {
    id: r.id,
    handle: r.handle,
    displayName: r.displayName,
    realm: r.realm,
    avatarUrl: r.avatarKey ? `/api/v1/users/${r.handle}/avatar?v=${r.avatarKey.slice(-31, -5)}` : null,
    requestedAt: new Date(r.requestedAt).toISOString(),
  };
}

export const followRequestRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;

  app.get(
    '/api/v1/me/follow-requests',
    {
      schema: {
        tags: ['graph'],
        summary: 'Follow requests waiting for my decision (private accounts), newest first.',
        querystring: limitQuery,
        response: { 200: z.object({ items: z.array(item) }) },
      },
    },
    async (req) => {
      const v = requireViewer(req);
      return { items: (await listIncoming(reelm.realms.get(v.realm), v.userId, req.query.limit)).map(toItem) };
    },
  );

  app.get(
    '/api/v1/me/follow-requests/sent',
    {
      schema: {
        tags: ['graph'],
        summary: 'Follow requests I sent that are still pending, or were declined.',
        querystring: limitQuery,
        response: { 200: z.object({ items: z.array(sentItem) }) },
      },
    },
    async (req) => {
      const v = requireViewer(req);
      return { items: (await listSent(reelm.realms.get(v.realm), v.userId, req.query.limit)).map((r) => ({ ...toItem(r), state: r.state })) };
    },
  );

  for (const [verb, approve] of [
    ['approve', true],
    ['decline', false],
  ] as const) {
    app.post(
      `/api/v1/me/follow-requests/:handle/${verb}`,
      {
        schema: {
          tags: ['graph'],
          summary: approve ? 'Approve a follow request: the person becomes a follower.' : 'Decline a follow request (the requester sees it declined).',
          params: handleParam,
          response: { 200: decided },
        },
      },
      async (req) => {
        const v = requireViewer(req);
        const store = reelm.realms.get(v.realm);
        // By the handle the request came with, or the person's current one.
        const current = await reelm.directory.byHandle(req.params.handle);
        const key = handleKeyOf(req.params.handle);
        const hit = await store.db
          .selectFrom('follow_request_edges')
          .select(['requester_id', 'requester_handle'])
          .where('target_id', '=', v.userId)
          .where((eb) => eb.or([eb('requester_id', '=', current?.userId ?? ''), eb(eb.fn('lower', ['requester_handle']), '=', key)]))
          .executeTakeFirst();
        if (!hit) throw notFound('That follow request');
        await decideRequest(store, v.userId, hit.requester_id, approve);
        return { handle: hit.requester_handle, approved: approve };
      },
    );
  }
};
