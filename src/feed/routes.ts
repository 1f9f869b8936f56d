import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer, viewerOf } from '../api/auth.ts';
import { tagKey } from '../social/text.ts';
import { forYou, whyThis } from './service.ts';
import { getInterests, getTopics, notInterested, setInterests, setTopics } from './preferences.ts';
import { TOPIC_LIST } from './topics.ts';

// The For You API: the feed, "not interested", interests (cold start), "why this video".

const id = z.string().regex(/^[0-9a-z]{1,40}$/);

export const feedRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  app.get(
    '/api/v1/feed/for-you',
    {
      schema: {
        tags: ['feed'],
        summary: 'Recommended videos; signed out: trending in `country`. Pages are stable per cursor; no cursor starts a fresh session.',
        querystring: z.object({
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(50).default(10),
          country: z
            .string()
            .regex(/^[A-Za-z]{2}$/)
            .transform((c) => c.toUpperCase())
            .optional(),
          includeSeen: z.enum(['true', 'false']).optional(),
        }),
      },
    },
    async (req) =>
      forYou(reelm, viewerOf(req), {
        cursor: req.query.cursor,
        limit: req.query.limit,
        country: req.query.country,
        includeSeen: req.query.includeSeen === 'true',
      }),
  );
  app.post(
    '/api/v1/feed/feedback',
    {
      schema: {
        tags: ['feed'],
        summary: '“Not interested” in a video, a creator or a sound; respected from the next page on.',
        body: z.object({ kind: z.enum(['video', 'creator', 'sound']), id }),
      },
    },
    async (req, reply) => {
      await notInterested(reelm, requireViewer(req), req.body.kind, req.body.id);
      return reply.code(201).send({ stored: true });
    },
  );
  app.get(
    '/api/v1/feed/why/:videoId',
    { schema: { tags: ['feed'], summary: 'Why this video was in your For You feed.', params: z.object({ videoId: id }) } },
    async (req) => whyThis(reelm, requireViewer(req), req.params.videoId),
  );
  app.get('/api/v1/me/interests', { schema: { tags: ['feed'], summary: 'Your interests (hashtags).' } }, async (req) => ({
    interests: await getInterests(reelm, requireViewer(req)),
  }));
  app.put(
    '/api/v1/me/interests',
    {
      schema: {
        tags: ['feed'],
        summary: 'Pick interests (hashtags) that seed your first For You pages.',
        body: z.object({ interests: z.array(z.string().min(1).max(64)).max(20) }),
      },
    },
    async (req) => ({ interests: await setInterests(reelm, requireViewer(req), req.body.interests.map(tagKey).filter(Boolean)) }),
  );
  // Cold start (docs/FEED.md): the fixed topics, and the signed-in person's picks (asked right after sign-up).
  app.get(
    '/api/v1/feed/interests',
    { schema: { tags: ['feed'], summary: 'The topics one may pick for a first For You feed, and (signed in) the ones you picked.' } },
    async (req) => {
      const viewer = viewerOf(req);
      return { topics: TOPIC_LIST, selected: viewer ? await getTopics(reelm, viewer) : [] };
    },
  );
  app.put(
    '/api/v1/feed/interests',
    {
      schema: {
        tags: ['feed'],
        summary: 'Pick topics (ids from GET /api/v1/feed/interests) that seed your first For You pages; [] clears them.',
        body: z.object({ interests: z.array(z.string().min(1).max(40)).max(8) }),
      },
    },
    async (req) => ({ selected: await setTopics(reelm, requireViewer(req), req.body.interests) }),
  );
};
