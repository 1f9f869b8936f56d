import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { discoveryRoutes } from './routes/discovery.ts';
import { engagementRoutes } from './routes/engagement.ts';
import { postRoutes } from './routes/posts.ts';
import { sharePageRoutes } from './share-page.ts';

// The social layer's HTTP API. (Its background task, announcing changed
// counts, is in module.ts.)

export const socialRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(postRoutes);
  await app.register(engagementRoutes);
  await app.register(discoveryRoutes);
  await app.register(sharePageRoutes);
};
