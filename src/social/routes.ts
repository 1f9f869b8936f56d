import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { publishPendingStats } from './posts.ts';
import { flushViewRollups } from './view-rollup.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { engagementRoutes } from './routes/engagement.ts';
import { postRoutes } from './routes/posts.ts';
import { sharePageRoutes } from './share-page.ts';

// The social layer's HTTP API, and its one background task, every few seconds:
// reporting due view rollups to videos' realms (social.views) and announcing
// changed counts to other realms (social.post_stats).

export const STATS_PUBLISH_INTERVAL_MS = 5000;

export const socialRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(postRoutes);
  await app.register(engagementRoutes);
  await app.register(discoveryRoutes);
  await app.register(sharePageRoutes);
  if (app.reelm.config.workers) {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    const tick = () => {
      running = (async () => {
        for (const store of app.reelm.realms.all()) {
          await flushViewRollups(store).catch((err) => process.emitWarning(`view rollups: ${(err as Error).message}`));
          await publishPendingStats(app.reelm, store).catch((err) => process.emitWarning(`post stats: ${(err as Error).message}`));
        }
      })();
    };
    app.addHook('onReady', async () => {
      timer = setInterval(tick, STATS_PUBLISH_INTERVAL_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await running;
    });
  }
};
