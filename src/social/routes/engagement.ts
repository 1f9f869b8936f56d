import { z } from 'zod';
import { optionalBody } from '../../api/optional-body.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer, viewerOf } from '../../api/auth.ts';
import { notFound } from '../../api/errors.ts';
import * as engage from '../engagement.ts';
import { entitiesSchema } from '../items.ts';
import { getPost } from '../posts.ts';
import { COMMENT_MAX } from '../text.ts';
import { recordWatchEvents, watchHistory } from '../watch.ts';
import { idParam } from './posts.ts';
import { limitViewer } from '../../limits/limiter.ts';

// Likes, comments (one level of replies, likes, a pinned comment), favorites
// in collections, shares, and the player's watch events.

const commentId = z.string().regex(/^[0-9a-z]{26}$/, 'a comment id');
const commentParams = z.object({ id: z.string().min(1).max(64), commentId });
const commentState = {
  state: z
    .enum(['pending', 'published', 'rejected'])
    .describe('pending until the video’s realm has published it; only the author sees pending and rejected comments'),
  rejection: z.object({ code: z.string(), message: z.string() }).nullable(),
};
const commentView = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  author: z.object({ id: z.string(), handle: z.string(), displayName: z.string(), realm: z.string() }),
  body: z.string().describe('plain text; render with `entities`, never as HTML'),
  entities: entitiesSchema,
  likeCount: z.number(),
  replyCount: z.number(),
  pinned: z.boolean(),
  likedByMe: z.boolean(),
  ...commentState,
  createdAt: z.string(),
});

const shareOut = z.object({
  shareUrl: z.string(),
  counted: z.boolean().describe('false when you already shared this video within the counting window: nothing was stored or counted'),
});

const watchEvent = z.object({
  clientEventId: z
    .string()
    .min(8)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .describe('unique per play, chosen by the player; a resent event with the same id is stored once'),
  videoId: z.string().min(1).max(64),
  watchedMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600 * 1000),
  durationMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600 * 1000),
  completed: z.boolean(),
  replays: z.number().int().min(0).max(10_000).default(0),
  skipped: z.boolean().optional().describe('default: watched under 2 s and not completed'),
  playedAt: z.iso.datetime(),
});

export const engagementRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  const tags = ['engagement'];

  app.put(
    '/api/v1/posts/:id/like',
    { schema: { tags, summary: 'Like a video (idempotent).', params: idParam, response: { 200: z.object({ liked: z.boolean() }) } } },
    async (req) => {
      const viewer = requireViewer(req);
      await limitViewer(reelm, viewer, req.ip, 'like');
      return engage.like(reelm, viewer, req.params.id);
    },
  );
  app.delete(
    '/api/v1/posts/:id/like',
    { schema: { tags, summary: 'Remove your like.', params: idParam, response: { 200: z.object({ liked: z.boolean() }) } } },
    async (req) => engage.unlike(reelm, requireViewer(req), req.params.id),
  );

  app.get(
    '/api/v1/posts/:id/comments',
    {
      schema: {
        tags,
        summary: 'Comments on a video (pinned first), or the replies to one comment.',
        params: idParam,
        querystring: z.object({
          parentId: z.string().max(64).optional(),
          cursor: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(30),
        }),
        response: { 200: z.object({ items: z.array(commentView), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const viewer = viewerOf(req);
      const post = await getPost(reelm, viewer, req.params.id);
      if (!post) throw notFound('That video');
      return engage.listComments(reelm, viewer, post.realm, post.id, req.query.parentId ?? null, req.query.cursor, req.query.limit);
    },
  );

  app.post(
    '/api/v1/posts/:id/comments',
    {
      schema: {
        tags,
        summary: 'Comment on a video, or reply to a comment (one level of replies).',
        params: idParam,
        body: z.object({ body: z.string().max(COMMENT_MAX * 4), parentId: commentId.optional() }),
        response: {
          201: z.object({
            id: z.string(),
            videoId: z.string(),
            parentId: z.string().nullable(),
            body: z.string(),
            entities: entitiesSchema,
            ...commentState,
            createdAt: z.string(),
          }),
        },
      },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      await limitViewer(reelm, viewer, req.ip, 'comment');
      return reply.status(201).send(await engage.comment(reelm, viewer, req.params.id, req.body.body, req.body.parentId ?? null));
    },
  );

  app.get(
    '/api/v1/comments/:id',
    {
      schema: {
        tags,
        summary: 'One of your own comments, with its state: pending, published, or rejected (with the reason).',
        params: idParam,
        response: {
          200: z.object({ id: z.string(), videoId: z.string(), parentId: z.string().nullable(), body: z.string(), ...commentState, createdAt: z.string() }),
        },
      },
    },
    async (req) => engage.ownComment(reelm, requireViewer(req), req.params.id),
  );

  app.delete('/api/v1/comments/:id', { schema: { tags, summary: 'Delete your comment, or a comment on your video.', params: idParam } }, async (req, reply) => {
    await engage.deleteComment(reelm, requireViewer(req), req.params.id);
    return reply.status(204).send();
  });

  app.put(
    '/api/v1/posts/:id/comments/:commentId/pin',
    { schema: { tags, summary: 'Pin a comment on your video (one at a time).', params: commentParams, response: { 200: z.object({ pinned: z.boolean() }) } } },
    async (req) => engage.pinComment(reelm, requireViewer(req), req.params.id, req.params.commentId, true),
  );
  app.delete(
    '/api/v1/posts/:id/comments/:commentId/pin',
    { schema: { tags, summary: 'Unpin it.', params: commentParams, response: { 200: z.object({ pinned: z.boolean() }) } } },
    async (req) => engage.pinComment(reelm, requireViewer(req), req.params.id, req.params.commentId, false),
  );
  app.put(
    '/api/v1/posts/:id/comments/:commentId/like',
    { schema: { tags, summary: 'Like a comment.', params: commentParams, response: { 200: z.object({ liked: z.boolean() }) } } },
    async (req) => {
      const viewer = requireViewer(req);
      await limitViewer(reelm, viewer, req.ip, 'like');
      return engage.likeComment(reelm, viewer, req.params.id, req.params.commentId, true);
    },
  );
  app.delete(
    '/api/v1/posts/:id/comments/:commentId/like',
    { schema: { tags, summary: 'Remove your like from a comment.', params: commentParams, response: { 200: z.object({ liked: z.boolean() }) } } },
    async (req) => engage.likeComment(reelm, requireViewer(req), req.params.id, req.params.commentId, false),
  );

  app.post(
    '/api/v1/posts/:id/shares',
    {
      schema: {
        tags,
        summary: 'Share a video: returns its share link and counts the share (once per person and video a day: 201 counted, 200 not counted).',
        params: idParam,
        body: optionalBody(z.object({ channel: z.enum(engage.SHARE_CHANNELS).default('link') })),
        response: { 201: shareOut, 200: shareOut },
      },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      await limitViewer(reelm, viewer, req.ip, 'share');
      const r = await engage.share(reelm, viewer, req.params.id, req.body.channel);
      return reply.status(r.counted ? 201 : 200).send(r);
    },
  );

  const favOut = z.object({ favorited: z.boolean(), collectionId: z.string().nullable() });
  app.put(
    '/api/v1/posts/:id/favorite',
    {
      schema: {
        tags,
        summary: 'Save a video, optionally into one of your collections (moves it if already saved).',
        params: idParam,
        body: optionalBody(z.object({ collectionId: z.string().max(64).nullable().default(null) })),
        response: { 200: favOut },
      },
    },
    async (req) => engage.favorite(reelm, requireViewer(req), req.params.id, req.body.collectionId),
  );
  app.delete('/api/v1/posts/:id/favorite', { schema: { tags, summary: 'Unsave a video.', params: idParam, response: { 200: favOut } } }, async (req) =>
    engage.unfavorite(reelm, requireViewer(req), req.params.id),
  );

  app.get(
    '/api/v1/me/favorites',
    {
      schema: {
        tags,
        summary: 'Videos you saved (only you see these).',
        querystring: z.object({ collectionId: z.string().max(64).optional() }),
        response: { 200: z.object({ items: z.array(z.object({ videoId: z.string(), collectionId: z.string().nullable(), savedAt: z.string() })) }) },
      },
    },
    async (req) => {
      const rows = await engage.listFavorites(reelm, requireViewer(req), req.query.collectionId ?? null);
      return { items: rows.map((r) => ({ videoId: r.video_id, collectionId: r.collection_id, savedAt: new Date(Number(r.created_at)).toISOString() })) };
    },
  );
  const collection = z.object({ id: z.string(), name: z.string(), count: z.number() });
  app.get(
    '/api/v1/me/collections',
    { schema: { tags, summary: 'Your collections of saved videos.', response: { 200: z.object({ items: z.array(collection) }) } } },
    async (req) => ({
      items: await engage.listCollections(reelm, requireViewer(req)),
    }),
  );
  app.post(
    '/api/v1/me/collections',
    {
      schema: {
        tags,
        summary: 'Create a collection.',
        body: z.object({ name: z.string().max(240) }),
        response: { 201: z.object({ id: z.string(), name: z.string() }) },
      },
    },
    async (req, reply) => reply.status(201).send(await engage.createCollection(reelm, requireViewer(req), req.body.name)),
  );
  app.delete(
    '/api/v1/me/collections/:id',
    { schema: { tags, summary: 'Delete a collection (its videos stay saved).', params: idParam } },
    async (req, reply) => {
      await engage.deleteCollection(reelm, requireViewer(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/watch-events',
    {
      schema: {
        tags,
        summary: 'The player’s watch events, in batches; idempotent per clientEventId.',
        body: z.object({ events: z.array(watchEvent).min(1).max(500) }),
        response: { 200: z.object({ received: z.number(), stored: z.number(), duplicates: z.number(), unknownVideos: z.number() }) },
      },
    },
    async (req) => {
      const viewer = requireViewer(req);
      await limitViewer(reelm, viewer, req.ip, 'watchEvents', req.body.events.length);
      return recordWatchEvents(reelm, viewer, req.body.events);
    },
  );

  app.get(
    '/api/v1/me/watch-history',
    {
      schema: {
        tags,
        summary: 'Your watch history, newest first (only you see it).',
        querystring: z.object({ before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                videoId: z.string(),
                watchedMs: z.number(),
                durationMs: z.number(),
                completed: z.boolean(),
                replays: z.number(),
                skipped: z.boolean(),
                playedAt: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const rows = await watchHistory(reelm, requireViewer(req), req.query.before, req.query.limit);
      return {
        items: rows.map((r) => ({
          videoId: r.video_id,
          watchedMs: Number(r.watched_ms),
          durationMs: Number(r.duration_ms),
          completed: r.completed === 1,
          replays: Number(r.replays),
          skipped: r.skipped === 1,
          playedAt: new Date(Number(r.played_at)).toISOString(),
        })),
      };
    },
  );
};
