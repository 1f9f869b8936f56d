import type { OwnerBlobs } from '../../blobs/resident-blobs.ts';
import type { JobContext } from '../../jobs/worker.ts';
import type { RealmStore } from '../../realm/store.ts';
import type { MediaConfig } from '../media-config.ts';
import type { UploadOptions } from '../options.ts';
import type { PublicMedia } from '../public-media.ts';
import type { UploadsTable } from '../schema.ts';
import type { EncodeRun } from '../transcode.ts';

// What every step of one `media.process` run shares: the upload, where its
// files go (the owner's writer, R3) and its work folder.

export interface PipelineDeps {
  limits: MediaConfig;
  publicMedia: (store: RealmStore) => PublicMedia;
  /** x264 preset for every rung, overriding `media.x264Preset(s)` (tests) */
  preset?: string;
}

export interface UploadRun {
  readonly ctx: JobContext;
  readonly store: RealmStore;
  readonly signal: AbortSignal;
  readonly deps: PipelineDeps;
  readonly limits: MediaConfig;
  readonly upload: UploadsTable;
  readonly options: UploadOptions;
  readonly owner: string;
  readonly blobs: OwnerBlobs;
  /** this run's work folder (removed when the run ends) */
  readonly work: string;
  /** where the video's files go: users/<owner>/videos/<video>/ */
  readonly prefix: string;
}

/** ffmpeg limits for one pass of this run, reporting progress between `from` and `to` percent. */
export function encodeRun(run: UploadRun, durationSeconds: number, from: number, to: number, extra = 1): EncodeRun {
  const { limits, deps, signal, ctx } = run;
  return {
    threads: limits.ffmpegThreads,
    preset: deps.preset ?? limits.x264Preset,
    presets: deps.preset ? undefined : limits.x264Presets,
    memoryBytes: limits.ffmpegMemoryBytes,
    timeoutMs: Math.max(60_000, durationSeconds * limits.transcodeTimeoutFactor * 1000 * extra),
    signal,
    onProgress: (f) => ctx.progress(from + (to - from) * f),
  };
}
