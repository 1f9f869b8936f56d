import type { Reelm } from '../context.ts';
import { mediaProcessHandler, MEDIA_PROCESS } from '../media/pipeline.ts';
import { inProcessFetch, publicMedia } from '../media/public-media.ts';
import type { JobHandlers } from './worker.ts';

// Every job kind a Reelm worker knows how to run. Parts add theirs here.
export function jobHandlers(reelm: Reelm, opts: { preset?: string } = {}): JobHandlers {
  return {
    [MEDIA_PROCESS]: mediaProcessHandler({
      limits: reelm.config.media,
      preset: opts.preset,
      publicMedia: (store) => publicMedia(store, { baseUrl: reelm.config.http.publicUrl, inProcess: inProcessFetch(reelm) }),
    }),
  };
}
