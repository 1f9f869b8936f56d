import { existsSync } from 'node:fs';
import type { Reelm } from '../context.ts';
import type { JobHandlers } from '../jobs/worker.ts';
import { intervalTask, type BackgroundTask, type ReelmModule } from '../modules/module.ts';
import { mediaConfigSchema, type MediaConfig } from './media-config.ts';
import { MEDIA_PROCESS, mediaProcessHandler } from './pipeline.ts';
import { inProcessFetch, publicMedia } from './public-media.ts';
import { uploadRoutes } from './routes.ts';
import { mediaMigration, tusOffsetsMigration, mediaTables, type MediaTables } from './schema.ts';
import { FFMPEG } from './tools.ts';
import { TusUploads } from './tus.ts';
import { UploadService } from './uploads.ts';

// Media: uploads (tus + multipart), validation, the `media.process` job
// (transcoding ladder, HLS, sounds, duets), the `media` configuration section
// and the upload housekeeping task (unfinished uploads past their expiry are
// removed, bytes included).

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends MediaTables {}
}
declare module '../config/config.ts' {
  interface PartConfig {
    /** Upload limits, accepted formats, rendition ladder, worker caps (src/media/media-config.ts). */
    media: MediaConfig;
  }
}

/** The media job handlers; `preset` overrides every rung's x264 preset (tests, benchmarks). */
export function mediaJobHandlers(reelm: Reelm, opts: { preset?: string } = {}): JobHandlers {
  return {
    [MEDIA_PROCESS]: mediaProcessHandler({
      limits: reelm.config.media,
      preset: opts.preset,
      publicMedia: (store) => publicMedia(store, { baseUrl: reelm.config.http.publicUrl, inProcess: inProcessFetch(reelm) }),
    }),
  };
}

const housekeeping: BackgroundTask = {
  name: 'upload-housekeeping',
  start(reelm, scope) {
    const uploads = new UploadService(reelm);
    const tus = new TusUploads(reelm, uploads);
    return intervalTask(
      'upload-housekeeping',
      (r) => r.config.media.housekeepingSeconds * 1000,
      async () => {
        await tus.cleanUp(scope.realms.map((s) => s.name));
        for (const store of scope.realms) await uploads.expire(store).catch((err) => scope.onError(err));
      },
    ).start(reelm, scope);
  },
};

export const mediaModule: ReelmModule = {
  name: 'media',
  tables: mediaTables,
  migrations: { '0011_media': mediaMigration, '0012_media_tus_offsets': tusOffsetsMigration },
  jobs: {
    kinds: [MEDIA_PROCESS],
    handlers: (reelm) => mediaJobHandlers(reelm),
    pool: (reelm) => ({ concurrency: reelm.config.media.workerConcurrency, leaseMs: reelm.config.media.jobLeaseSeconds * 1000 }),
    preflight: () =>
      existsSync(FFMPEG) ? undefined : `ffmpeg is not installed (${FFMPEG}); video uploads will wait until it is. Install it with: apt-get install ffmpeg`,
  },
  routes: uploadRoutes,
  config: { shape: { media: mediaConfigSchema } },
  tasks: [housekeeping],
};
