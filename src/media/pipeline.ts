import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ownerBlobs } from '../blobs/resident-blobs.ts';
import { JobError } from '../jobs/queue.ts';
import type { JobContext, JobHandler } from '../jobs/worker.ts';
import type { RealmStore } from '../realm/store.ts';
import { uploadSourceKey, videoPrefix } from './keys.ts';
import type { UploadOptions } from './options.ts';
import { applyEdits } from './pipeline/edits.ts';
import { encodeAndPublishLive } from './pipeline/encode.ts';
import { publishOutputs } from './pipeline/publish.ts';
import { markReady } from './pipeline/ready.ts';
import type { PipelineDeps, UploadRun } from './pipeline/run.ts';
import { recordProcessing, validatedSource } from './pipeline/source.ts';
import type { UploadsTable } from './schema.ts';
import { FFMPEG, FFPROBE, ToolError } from './tools.ts';

// The `media.process` job: one upload → one video. Runs in the uploader's home
// realm (the job row is resident there), working in that realm's own work
// folder. Idempotent: the video id is fixed at upload time, blobs go to fixed
// keys, renditions are written as a whole list, and the final flip to `ready`
// is conditional — a re-run after a crash redoes work but never duplicates it.
// The steps are in src/media/pipeline/, in the order below.

export const MEDIA_PROCESS = 'media.process';
export type { PipelineDeps } from './pipeline/run.ts';

export function workDirOf(store: RealmStore): string {
  return join(dirname(store.manifest.logs.dir), 'work');
}

export function mediaProcessHandler(deps: PipelineDeps): JobHandler {
  return {
    run: (payload: { uploadId: string }, ctx) => processUpload(payload.uploadId, ctx, deps),
    failed: async (payload: { uploadId: string }, error, { store }) => discardUpload(store, payload.uploadId, error),
  };
}

async function processUpload(uploadId: string, ctx: JobContext, deps: PipelineDeps) {
  const { store } = ctx;
  if (!existsSync(FFMPEG) || !existsSync(FFPROBE)) {
    // retried with backoff, and shown to the uploader as the reason for the wait
    throw new JobError('ffmpeg_missing', `This server cannot process videos yet: ffmpeg is not installed (${FFMPEG}). Operators: apt-get install ffmpeg.`);
  }
  const upload = await store.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirst();
  if (!upload || upload.state === 'ready' || upload.state === 'failed') return; // done before, or withdrawn
  const owner = upload.owner_id;
  const run: UploadRun = {
    ctx,
    store,
    signal: ctx.signal,
    deps,
    limits: deps.limits,
    upload,
    options: JSON.parse(upload.options) as UploadOptions,
    owner,
    // every file of this upload is written as the owner's, in their home realm (R3)
    blobs: await ownerBlobs(store, owner),
    work: join(workDirOf(store), ctx.job.id),
    prefix: videoPrefix(owner, upload.video_id),
  };
  await rm(run.work, { recursive: true, force: true });
  await mkdir(run.work, { recursive: true });
  try {
    const source = await validatedSource(run); // 1. the bytes, validated by content
    await recordProcessing(run);
    const edited = await applyEdits(run, source); // 2. duet, used sound
    const encoded = await encodeAndPublishLive(run, source, edited); // 3. the ladder, lowest rung live
    const published = await publishOutputs(run, source, encoded); // 4. rungs, stills, master; 5. own sound
    await markReady(run, source, edited, encoded, published); // 6. ready, exactly once
    await store.blobs.delete(uploadSourceKey(owner, uploadId));
  } catch (err) {
    if (err instanceof ToolError && err.reason === 'timeout')
      throw new JobError('processing_timeout', 'Processing this video took too long and was stopped.', { permanent: true });
    if (err instanceof ToolError && err.reason === 'exit') throw new JobError('transcode_failed', 'The video could not be converted.');
    throw err;
  } finally {
    await rm(run.work, { recursive: true, force: true });
  }
}

/** After a final failure: the uploader keeps a failed upload record with the reason; no video row, no files. */
export async function discardUpload(store: RealmStore, uploadId: string, error: { code: string; message: string }) {
  const upload = await store.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirst();
  if (!upload) return;
  await removeUploadMedia(store, upload);
  await store.db.deleteFrom('videos').where('id', '=', upload.video_id).execute();
  await store.db
    .updateTable('uploads')
    .set({ state: 'failed', error_code: error.code, error_message: error.message, updated_at: Date.now() })
    .where('id', '=', uploadId)
    .execute();
}

export async function removeUploadMedia(store: RealmStore, upload: Pick<UploadsTable, 'owner_id' | 'id' | 'video_id'>) {
  await store.blobs.delete(uploadSourceKey(upload.owner_id, upload.id));
  await store.blobs.deletePrefix(videoPrefix(upload.owner_id, upload.video_id));
  const sound = await store.db.selectFrom('sounds').select(['id', 'audio_key']).where('video_id', '=', upload.video_id).executeTakeFirst();
  if (sound) {
    await store.blobs.delete(sound.audio_key);
    await store.db.deleteFrom('sounds').where('id', '=', sound.id).execute();
  }
}
