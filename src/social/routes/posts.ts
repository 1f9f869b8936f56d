import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer, viewerOf } from '../../api/auth.ts';
import { notFound } from '../../api/errors.ts';
import { postItemSchema } from '../items.ts';
import { setPinned } from '../pins.ts';
import { viewerStates } from '../viewer-state.ts';
import { createPost, deletePost, getPost, updatePost } from '../posts.ts';
import { CAPTION_MAX } from '../text.ts';

// Posts: publish an uploaded video, read, edit, delete.

const policy = z.enum(['everyone', 'followers', 'no_one']);
export const idParam = z.object({ id: z.string().min(1).max(64) });
const settings = z.object({
  caption: z
    .string()
    .max(CAPTION_MAX * 4)
    .optional()
    .describe('plain text; #hashtags and @mentions are recognised'),
  audience: z.enum(['public', 'followers', 'private']).optional(),
  commentPolicy: policy.optional(),
  duetPolicy: policy.optional(),
  allowDownload: z.boolean().optional(),
});
const viewerState = z.object({ liked: z.boolean(), favorited: z.boolean(), following: z.boolean() });
const postOut = postItemSchema.extend({ viewer: viewerState.optional() });

export const postRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;

  async function withViewerState(item: z.infer<typeof postItemSchema>, viewer: ReturnType<typeof viewerOf>) {
    if (!viewer) return item;
    const states = await viewerStates(reelm.realms.get(viewer.realm).db, viewer.userId, [{ id: item.id, ownerId: item.author.id }]);
    return { ...item, viewer: states.get(item.id)! };
  }

  app.post(
    '/api/v1/posts',
    {
      schema: {
        tags: ['posts'],
        summary: 'Post an uploaded video once it is ready, with its caption and settings.',
        body: settings.extend({ videoId: z.string().min(1).max(64) }),
        response: { 201: postOut },
      },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const { videoId, ...s } = req.body;
      return reply.status(201).send(await withViewerState(await createPost(reelm, viewer, videoId, s), viewer));
    },
  );

  app.get(
    '/api/v1/posts/:id',
    { schema: { tags: ['posts'], summary: 'One post, if you may see it.', params: idParam, response: { 200: postOut } } },
    async (req) => {
      const viewer = viewerOf(req);
      const item = await getPost(reelm, viewer, req.params.id);
      if (!item) throw notFound('That video');
      return withViewerState(item, viewer);
    },
  );

  app.patch(
    '/api/v1/posts/:id',
    { schema: { tags: ['posts'], summary: 'Edit your post’s caption or settings.', params: idParam, body: settings, response: { 200: postOut } } },
    async (req) => {
      const viewer = requireViewer(req);
      return withViewerState(await updatePost(reelm, viewer, req.params.id, req.body), viewer);
    },
  );

  app.put(
    '/api/v1/posts/:id/pin',
    { schema: { tags: ['posts'], summary: 'Pin your post to the top of your profile (at most three).', params: idParam, response: { 200: postOut } } },
    async (req) => {
      const viewer = requireViewer(req);
      return withViewerState(await setPinned(reelm, viewer, req.params.id, true), viewer);
    },
  );

  app.delete(
    '/api/v1/posts/:id/pin',
    { schema: { tags: ['posts'], summary: 'Unpin your post from your profile.', params: idParam, response: { 200: postOut } } },
    async (req) => {
      const viewer = requireViewer(req);
      return withViewerState(await setPinned(reelm, viewer, req.params.id, false), viewer);
    },
  );

  app.delete(
    '/api/v1/posts/:id',
    { schema: { tags: ['posts'], summary: 'Delete your post: the video, its files and everything derived from it, in every realm.', params: idParam } },
    async (req, reply) => {
      await deletePost(reelm, requireViewer(req), req.params.id);
      return reply.status(204).send();
    },
  );
};
