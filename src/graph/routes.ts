import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Reelm } from '../context.ts';
import { requireViewer, viewerOf, type Viewer } from '../api/auth.ts';
import { limitViewer } from '../limits/limiter.ts';
import { AppError, badRequest, notFound } from '../api/errors.ts';
import { privateToViewer } from '../privacy/private-accounts.ts';
import { cancelRequest, followState as followStateOf, isPrivateAccount, requestFollow } from './requests.ts';
import { follow, listFollowers, listFollowing, MAX_PAGE, unfollow, type EdgeItem, type PublicSnapshot } from './service.ts';

// Follow graph API. A handle is routed to its home realm by the directory; the
// follow itself runs in the viewer's home realm and reaches the other side as
// a declared flow (see service.ts).

const handleParam = z.object({ handle: z.string().min(1).max(64) });
const edge = z.object({
  id: z.string(),
  handle: z.string(),
  displayName: z.string(),
  realm: z.string(),
  avatarUrl: z.string().nullable(),
  followedAt: z.string(),
});
const page = z.object({ items: z.array(edge), nextCursor: z.string().nullable() });
const pageQuery = z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(20) });
const followState = z.object({
  following: z.boolean(),
  requested: z.boolean().optional().describe('true: the account is private; the request waits for its owner (see GET /api/v1/me/follow-requests/sent)'),
  handle: z.string(),
  realm: z.string(),
});

export async function locate(reelm: Reelm, handle: string, opts: { remoteOk?: boolean } = {}): Promise<PublicSnapshot> {
  const entry = await reelm.directory.byHandle(handle);
  if (!entry) throw notFound('That account');
  if (!reelm.realms.has(entry.realm)) {
    if (!opts.remoteOk) throw new AppError(503, 'realm_not_served', `That account lives in realm ${entry.realm}, which this server does not serve.`);
    // Realms in separate processes: the directory knows the handle; the followee's realm sends its public snapshot back (profile.snapshot).
    return { id: entry.userId, realm: entry.realm, handle: entry.handleKey, displayName: entry.handleKey, avatarKey: null };
  }
  const u = await reelm.realms
    .get(entry.realm)
    .db.selectFrom('users')
    .select(['id', 'handle', 'display_name', 'avatar_key'])
    .where('id', '=', entry.userId)
    .executeTakeFirst();
  if (!u) throw notFound('That account');
  return { id: u.id, realm: entry.realm, handle: u.handle, displayName: u.display_name, avatarKey: u.avatar_key };
}

function toEdge(e: EdgeItem) {
  return {
    id: e.id,
    handle: e.handle,
    displayName: e.displayName,
    realm: e.realm,
    avatarUrl: e.avatarKey ? `/api/v1/users/${e.handle}/avatar?v=${e.avatarKey.slice(-31, -5)}` : null,
    followedAt: new Date(e.followedAt).toISOString(),
  };
}

export const graphRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;

  /** A private account's follower and following lists: the owner and approved followers only; anyone else is answered as for a handle that does not exist. */
  async function mayListEdges(viewer: Viewer | null, target: PublicSnapshot) {
    if (await privateToViewer(reelm, viewer, { userId: target.id, realm: target.realm })) throw notFound('That account');
  }

  app.post(
    '/api/v1/users/:handle/follow',
    {
      schema: {
        tags: ['graph'],
        summary: 'Follow an account in any realm. Following twice is the same as once.',
        params: handleParam,
        response: { 200: followState },
      },
    },
    async (req) => {
      const viewer = requireViewer(req);
      await limitViewer(reelm, viewer, req.ip, 'follow');
      const target = await locate(reelm, req.params.handle, { remoteOk: true });
      if (target.id === viewer.userId) throw badRequest('cannot_follow_self', 'You cannot follow yourself.');
      const store = reelm.realms.get(viewer.realm);
      // A private account (or one whose realm this process does not serve, so its privacy is unknown here) gets a request.
      const knownPublic = reelm.realms.has(target.realm) && !(await isPrivateAccount(reelm.realms.get(target.realm).db, target.id));
      if (knownPublic) {
        await follow(store, viewer.userId, target);
        return { following: true, handle: target.handle, realm: target.realm };
      }
      const r = await requestFollow(store, viewer.userId, target);
      return r.state === 'following'
        ? { following: true, handle: target.handle, realm: target.realm }
        : { following: false, requested: true, handle: target.handle, realm: target.realm };
    },
  );

  app.get(
    '/api/v1/users/:handle/follow',
    {
      schema: {
        tags: ['graph'],
        summary: 'Where I stand with an account: following, a pending request, or neither (read in my own realm).',
        params: handleParam,
        response: { 200: followState },
      },
    },
    async (req) => {
      const viewer = requireViewer(req);
      const target = await locate(reelm, req.params.handle, { remoteOk: true });
      const state = await followStateOf(reelm.realms.get(viewer.realm), viewer.userId, target.id);
      return { following: state === 'following', ...(state === 'requested' && { requested: true }), handle: target.handle, realm: target.realm };
    },
  );

  app.delete(
    '/api/v1/users/:handle/follow',
    {
      schema: {
        tags: ['graph'],
        summary: 'Stop following an account. Unfollowing someone you do not follow is a no-op.',
        params: handleParam,
        response: { 200: followState },
      },
    },
    async (req) => {
      const viewer = requireViewer(req);
      const target = await locate(reelm, req.params.handle, { remoteOk: true });
      const store = reelm.realms.get(viewer.realm);
      // Unfollowing also withdraws a pending (or declined) request.
      if (!(await unfollow(store, viewer.userId, target.id)).removed) await cancelRequest(store, viewer.userId, target.id);
      return { following: false, handle: target.handle, realm: target.realm };
    },
  );

  app.get(
    '/api/v1/users/:handle/followers',
    {
      schema: {
        tags: ['graph'],
        summary: 'Who follows this account, newest first (cursor-paginated).',
        params: handleParam,
        querystring: pageQuery,
        response: { 200: page },
      },
    },
    async (req) => {
      const target = await locate(reelm, req.params.handle);
      await mayListEdges(viewerOf(req), target);
      const p = await listFollowers(reelm.realms.get(target.realm), target.id, req.query);
      return { items: p.items.map(toEdge), nextCursor: p.nextCursor };
    },
  );

  app.get(
    '/api/v1/users/:handle/following',
    {
      schema: {
        tags: ['graph'],
        summary: 'Whom this account follows, newest first (cursor-paginated).',
        params: handleParam,
        querystring: pageQuery,
        response: { 200: page },
      },
    },
    async (req) => {
      const target = await locate(reelm, req.params.handle);
      await mayListEdges(viewerOf(req), target);
      const p = await listFollowing(reelm.realms.get(target.realm), target.id, req.query);
      return { items: p.items.map(toEdge), nextCursor: p.nextCursor };
    },
  );
};
