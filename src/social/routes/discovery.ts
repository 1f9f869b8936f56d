import { z } from 'zod';
import { optionalBody } from '../../api/optional-body.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer, viewerOf } from '../../api/auth.ts';
import { block, listBlocks, unblock } from '../blocks.ts';
import { trending } from '../discovery.ts';
import { followingFeed, hashtagPage, profileVideos, soundPage } from '../feed.ts';
import { pageQuery, pageSchema, postItemSchema } from '../items.ts';
import { listNotifications, markRead, unreadCount } from '../notifications.ts';
import { searchAccounts, searchHashtags, searchSounds, searchVideos } from '../search.ts';

// Lists and discovery: the Following feed, profile grids, hashtag and sound
// pages, trending, search; blocks; notifications.

const handleParam = z.object({ handle: z.string().min(1).max(64) });

export const discoveryRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;

  app.get(
    '/api/v1/feed/following',
    {
      schema: { tags: ['feed'], summary: 'Newest videos of the accounts you follow, from every realm.', querystring: pageQuery, response: { 200: pageSchema } },
    },
    async (req) => followingFeed(reelm, requireViewer(req), req.query.cursor, req.query.limit),
  );

  app.get(
    '/api/v1/users/:handle/videos',
    {
      schema: {
        tags: ['feed'],
        summary: 'A profile’s videos that you may see, newest first.',
        params: handleParam,
        querystring: pageQuery,
        response: { 200: pageSchema },
      },
    },
    async (req) => profileVideos(reelm, viewerOf(req), req.params.handle, req.query.cursor, req.query.limit),
  );

  app.get(
    '/api/v1/hashtags/:tag',
    {
      schema: {
        tags: ['discovery'],
        summary: 'A hashtag page.',
        params: z.object({ tag: z.string().min(1).max(101) }),
        querystring: pageQuery,
        response: { 200: pageSchema.extend({ tag: z.string(), videoCount: z.number() }) },
      },
    },
    async (req) => hashtagPage(reelm, viewerOf(req), req.params.tag, req.query.cursor, req.query.limit),
  );

  app.get(
    '/api/v1/sounds/:id/videos',
    {
      schema: {
        tags: ['discovery'],
        summary: 'A sound page: videos using the sound, and how to use it.',
        params: z.object({ id: z.string().min(1).max(64) }),
        querystring: pageQuery,
        response: {
          200: pageSchema.extend({
            sound: z.object({
              id: z.string(),
              title: z.string(),
              videoCount: z.number(),
              original: z.object({ videoId: z.string(), author: z.object({ id: z.string(), handle: z.string() }) }).nullable(),
              use: z.object({ soundId: z.string(), uploadOption: z.object({ sound: z.object({ id: z.string(), realm: z.string().optional() }) }) }),
            }),
          }),
        },
      },
    },
    async (req) => soundPage(reelm, viewerOf(req), req.params.id, req.query.cursor, req.query.limit),
  );

  const trendQuery = z.object({
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .optional()
      .describe('ISO 3166-1 alpha-2; omitted: global'),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  });
  const trendOut = z.object({ items: z.array(z.object({ key: z.string(), title: z.string().optional(), score: z.number(), videoCount: z.number() })) });
  app.get(
    '/api/v1/trending/hashtags',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Trending hashtags (time-decayed), global or for a country.',
        querystring: trendQuery,
        response: { 200: trendOut },
      },
    },
    async (req) => ({
      items: await trending(reelm, 'hashtags', req.query.country ?? null, req.query.limit),
    }),
  );
  app.get(
    '/api/v1/trending/sounds',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Trending sounds (time-decayed), global or for a country.',
        querystring: trendQuery,
        response: { 200: trendOut },
      },
    },
    async (req) => ({
      items: await trending(reelm, 'sounds', req.query.country ?? null, req.query.limit),
    }),
  );

  app.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Search accounts (typo-tolerant handles), hashtags, sounds and captions.',
        querystring: z.object({
          q: z.string().min(1).max(100),
          type: z.enum(['all', 'accounts', 'videos', 'hashtags', 'sounds']).default('all'),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
        response: {
          200: z.object({
            accounts: z.array(
              z.object({ id: z.string(), handle: z.string(), displayName: z.string(), realm: z.string(), followerCount: z.number(), match: z.string() }),
            ),
            videos: z.array(postItemSchema),
            hashtags: z.array(z.object({ tag: z.string(), videoCount: z.number() })),
            sounds: z.array(z.object({ id: z.string(), title: z.string(), videoCount: z.number() })),
          }),
        },
      },
    },
    async (req) => {
      const viewer = viewerOf(req);
      const { q, type, limit } = req.query;
      const want = (t: string) => type === 'all' || type === t;
      return {
        accounts: want('accounts') ? (await searchAccounts(reelm, viewer, q, limit)).map(({ distance: _d, ...a }) => a) : [],
        videos: want('videos') ? await searchVideos(reelm, viewer, q, limit) : [],
        hashtags: want('hashtags') ? await searchHashtags(reelm, viewer, q, limit) : [],
        sounds: want('sounds') ? await searchSounds(reelm, viewer, q, limit) : [],
      };
    },
  );

  const blockOut = z.object({ blocked: z.boolean(), handle: z.string() });
  app.put(
    '/api/v1/blocks/:handle',
    {
      config: { allowSuspended: true },
      schema: { tags: ['blocks'], summary: 'Block an account: neither of you sees the other’s content.', params: handleParam, response: { 200: blockOut } },
    },
    async (req) => block(reelm, requireViewer(req), req.params.handle),
  );
  app.delete(
    '/api/v1/blocks/:handle',
    { config: { allowSuspended: true }, schema: { tags: ['blocks'], summary: 'Unblock an account.', params: handleParam, response: { 200: blockOut } } },
    async (req) => unblock(reelm, requireViewer(req), req.params.handle),
  );
  app.get(
    '/api/v1/me/blocks',
    {
      schema: {
        tags: ['blocks'],
        summary: 'Accounts you blocked.',
        response: { 200: z.object({ items: z.array(z.object({ handle: z.string(), blockedAt: z.string() })) }) },
      },
    },
    async (req) => ({
      items: await listBlocks(reelm, requireViewer(req)),
    }),
  );

  const group = z.object({
    groupKey: z.string(),
    kind: z.string(),
    count: z.number(),
    unread: z.boolean(),
    actors: z.array(z.object({ id: z.string().nullable(), handle: z.string().nullable(), realm: z.string().nullable() })),
    videoId: z.string().nullable(),
    commentId: z.string().nullable(),
    excerpt: z.string(),
    latestAt: z.string(),
    summary: z.string(),
  });
  app.get(
    '/api/v1/me/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Your notifications, grouped (“12 people liked your video”).',
        querystring: pageQuery,
        response: { 200: z.object({ items: z.array(group), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listNotifications(reelm, requireViewer(req), req.query.cursor, req.query.limit),
  );
  app.get(
    '/api/v1/me/notifications/unread-count',
    { schema: { tags: ['notifications'], summary: 'How many notifications are unread.', response: { 200: z.object({ unread: z.number() }) } } },
    async (req) => ({
      unread: await unreadCount(reelm, requireViewer(req)),
    }),
  );
  app.post(
    '/api/v1/me/notifications/read',
    {
      config: { allowSuspended: true },
      schema: {
        tags: ['notifications'],
        summary: 'Mark notification groups read (or unread); all when no group is named.',
        body: optionalBody(z.object({ groupKeys: z.array(z.string().max(120)).max(200).optional(), read: z.boolean().default(true) })),
        response: { 200: z.object({ updated: z.number() }) },
      },
    },
    async (req) => markRead(reelm, requireViewer(req), req.body.groupKeys, req.body.read),
  );
};
