import { join } from 'node:path';
import { JobError } from '../../jobs/queue.ts';
import type { RealmStore } from '../../realm/store.ts';
import { uploadSourceKey } from '../keys.ts';
import { MediaRefusal } from '../refusals.ts';
import { measureLoudness, type Loudness, type Trim } from '../transcode.ts';
import { validateMedia, type MediaFacts } from '../validate.ts';
import type { UploadRun } from './run.ts';

// Step 1: the uploaded bytes, fetched and validated by content (S3), with the
// trim range checked against the real duration; and the video row recorded as
// processing, so the uploader sees progress.

export interface Source {
  readonly file: string;
  readonly facts: MediaFacts;
  readonly trim: Trim | undefined;
  /** seconds, after the trim */
  readonly duration: number;
  /** whether the soundtrack is simply the source's (no duet, no sound, not muted) */
  readonly plainAudio: boolean;
  /** the source's loudness, measured while validation ran (plain audio only) */
  readonly earlyLoudness: Promise<Loudness | undefined> | undefined;
}

export async function validatedSource(run: UploadRun): Promise<Source> {
  const { store, options, limits, signal } = run;
  const file = await localCopy(store, uploadSourceKey(run.owner, run.upload.id), join(run.work, 'source'));
  if (!file) throw new JobError('upload_missing', 'The uploaded file is no longer stored; please upload it again.', { permanent: true });
  // Validation reads headers only (no decode): the encode decodes every frame
  // with -xerror, so a damaged stream is still refused (see refusedIfCorrupt),
  // without a second decode. The loudness pass (audio only) runs meanwhile when
  // the soundtrack is simply the source's.
  const plainAudio = !options.duetOf && !options.sound && !options.mute;
  const earlyLoudness = plainAudio
    ? measureLoudness(file, {
        trim: options.trim,
        audio: { kind: 'source' },
        run: { threads: 1, preset: '', memoryBytes: limits.ffmpegMemoryBytes, timeoutMs: limits.probeTimeoutSeconds * 1000, signal },
      }).catch(() => undefined) // no audio, or a file validation refuses: decided below
    : undefined;
  let facts: MediaFacts;
  try {
    facts = await validateMedia(file, limits, signal, { decode: 'none' });
  } catch (err) {
    await earlyLoudness;
    if (err instanceof MediaRefusal) throw new JobError(err.code, err.message, { permanent: true });
    throw err;
  }
  let trim: Trim | undefined;
  let duration = facts.durationSeconds;
  if (options.trim) {
    const end = Math.min(options.trim.end ?? duration, duration);
    if (options.trim.start >= end - 0.1)
      throw new JobError('trim_out_of_range', `The trim range is outside the video, which lasts ${duration.toFixed(1)} s.`, { permanent: true });
    trim = { start: options.trim.start, end: options.trim.end !== undefined && options.trim.end < duration ? options.trim.end : undefined };
    duration = end - options.trim.start;
  }
  return { file, facts, trim, duration, plainAudio, earlyLoudness };
}

/** The video row (once: a re-run finds it) and the upload's state, so the uploader sees it being processed. */
export async function recordProcessing(run: UploadRun): Promise<void> {
  const { store, upload, options } = run;
  const now = Date.now();
  await store.db
    .insertInto('videos')
    .values({
      id: upload.video_id,
      owner_id: run.owner,
      upload_id: upload.id,
      status: 'processing',
      progress: 0,
      duration_ms: null,
      width: null,
      height: null,
      renditions: '[]',
      hls_master_key: null,
      poster_key: null,
      thumbnail_keys: '[]',
      original_key: null,
      has_audio: 0,
      allow_duet: options.allowDuet === false ? 0 : 1,
      sound_id: null,
      duet_of: options.duetOf ? JSON.stringify(options.duetOf) : null,
      error_code: null,
      error_message: null,
      created_at: now,
      updated_at: now,
      ready_at: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await store.db
    .updateTable('uploads')
    .set({ state: 'processing', updated_at: now })
    .where('id', '=', upload.id)
    .where('state', 'in', ['received', 'processing'])
    .execute();
  run.ctx.progress(5);
}

/** A local path for a blob: the file itself on the local driver, else a download into the work folder. */
async function localCopy(store: RealmStore, key: string, dest: string): Promise<string | undefined> {
  if (!(await store.blobs.stat(key))) return undefined;
  if (store.blobs.localPath) return store.blobs.localPath(key);
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  await pipeline(await store.blobs.get(key), createWriteStream(dest));
  return dest;
}
