import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RealmStore } from '../realm/store.ts';
import { isUniqueViolation } from '../realm/database.ts';
import { JobError } from '../jobs/queue.ts';
import type { JobContext, JobHandler } from '../jobs/worker.ts';
import type { MediaConfig } from './media-config.ts';
import { codecsString, h264Level, masterPlaylist, outputFps, planLadder, type Rung } from './ladder.ts';
import { soundKey, uploadSourceKey, videoPrefix } from './keys.ts';
import type { UploadOptions } from './options.ts';
import type { PublicMedia } from './public-media.ts';
import { MediaRefusal } from './refusals.ts';
import type { Rendition, UploadsTable } from './schema.ts';
import { composeDuet, encodeFirstRung, encodeRungs, extractAudio, stills, type AudioPlan, type EncodeRun, type Trim } from './transcode.ts';
import { FFMPEG, FFPROBE, ToolError } from './tools.ts';
import { validateMedia } from './validate.ts';

// The `media.process` job: one upload → one video. Runs in the uploader's home
// realm (the job row is resident there), working in that realm's own work
// folder. Idempotent: the video id is fixed at upload time, blobs go to fixed
// keys, renditions are written as a whole list, and the final flip to `ready`
// is conditional — a re-run after a crash redoes work but never duplicates it.

export const MEDIA_PROCESS = 'media.process';

export interface PipelineDeps {
  limits: MediaConfig;
  publicMedia: (store: RealmStore) => PublicMedia;
  /** x264 preset; veryfast is the measured sweet spot on 2 cores */
  preset?: string;
}

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
  const { store, signal } = ctx;
  const { limits } = deps;
  if (!existsSync(FFMPEG) || !existsSync(FFPROBE)) {
    // retried with backoff, and shown to the uploader as the reason for the wait
    throw new JobError('ffmpeg_missing', `This server cannot process videos yet: ffmpeg is not installed (${FFMPEG}). Operators: apt-get install ffmpeg.`);
  }
  const upload = await store.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirst();
  if (!upload || upload.state === 'ready' || upload.state === 'failed') return; // done before, or withdrawn
  const options = JSON.parse(upload.options) as UploadOptions;
  const owner = upload.owner_id;
  const work = join(workDirOf(store), ctx.job.id);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    // 1. the bytes, validated by content
    const sourceKey = uploadSourceKey(owner, uploadId);
    const source = await localCopy(store, sourceKey, join(work, 'source'));
    if (!source) throw new JobError('upload_missing', 'The uploaded file is no longer stored; please upload it again.', { permanent: true });
    let facts;
    try {
      facts = await validateMedia(source, limits, signal);
    } catch (err) {
      if (err instanceof MediaRefusal) throw new JobError(err.code, err.message, { permanent: true });
      throw err;
    }
    const hasAudio = facts.audioCodec !== null;
    let trim: Trim | undefined;
    let duration = facts.durationSeconds;
    if (options.trim) {
      const end = Math.min(options.trim.end ?? duration, duration);
      if (options.trim.start >= end - 0.1)
        throw new JobError('trim_out_of_range', `The trim range is outside the video, which lasts ${duration.toFixed(1)} s.`, { permanent: true });
      trim = { start: options.trim.start, end: options.trim.end !== undefined && options.trim.end < duration ? options.trim.end : undefined };
      duration = end - options.trim.start;
    }
    const now = Date.now();
    await store.db
      .insertInto('videos')
      .values({
        id: upload.video_id,
        owner_id: owner,
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
      .where('id', '=', uploadId)
      .where('state', 'in', ['received', 'processing'])
      .execute();
    ctx.progress(5);

    const run = (from: number, to: number, extra = 1): EncodeRun => ({
      threads: limits.ffmpegThreads,
      preset: deps.preset ?? 'veryfast',
      memoryBytes: limits.ffmpegMemoryBytes,
      timeoutMs: Math.max(60_000, duration * limits.transcodeTimeoutFactor * 1000 * extra),
      signal,
      onProgress: (f) => ctx.progress(from + (to - from) * f),
    });

    // 2. edits: duet composes a new source; a used sound becomes the soundtrack
    let src = source;
    let width = facts.width;
    let height = facts.height;
    let srcHasAudio = hasAudio && !options.mute;
    const pm = deps.publicMedia(store);
    if (options.duetOf) {
      const other = join(work, 'duet-source.mp4');
      const got = await pm.duetSource(options.duetOf, other, signal);
      const out = join(work, 'duet.mkv');
      const size = await composeDuet(source, {
        trim,
        duration,
        srcHasAudio,
        other,
        otherHasAudio: got.hasAudio,
        paneHeight: Math.min(height, 1280),
        out,
        run: run(5, 15),
      });
      src = out;
      trim = undefined;
      width = size.width;
      height = size.height;
      srcHasAudio = true;
    }
    let audio: AudioPlan = srcHasAudio ? { kind: 'source' } : { kind: 'silent' };
    let usedSound: { realm: string; id: string } | undefined;
    if (options.sound) {
      const file = join(work, 'sound.m4a');
      usedSound = await pm.sound({ id: options.sound.id, realm: options.sound.realm }, file, signal);
      audio = { kind: 'sound', file, offset: options.sound.offset, mode: options.sound.mode, sourceHasAudio: srcHasAudio };
    }

    // 3. lowest rung first: playable before the ladder is done
    const rungs = planLadder(width, height, limits.ladder);
    const out = join(work, 'out');
    const prefix = videoPrefix(owner, upload.video_id);
    const first = await encodeFirstRung(src, { rung: rungs[0]!, fps: facts.fps, duration, trim, audio, outDir: out, run: run(15, 45) });

    // 4. the rest of the ladder in one run, started now; the lowest rung is published meanwhile
    const rest = rungs.slice(1);
    const stage2Abort = new AbortController();
    const stopStage2 = () => stage2Abort.abort();
    signal.addEventListener('abort', stopStage2, { once: true });
    const stage2 = encodeRungs(src, {
      rungs: rest,
      fps: facts.fps,
      duration,
      trim: options.duetOf ? undefined : trim,
      audioFrom: first.mp4,
      outDir: out,
      run: { ...run(50, 95, Math.max(1, rest.length)), signal: stage2Abort.signal },
    });
    stage2.catch(() => {}); // awaited below; this only avoids an unhandled rejection while stage 1 publishes
    let firstRendition: Rendition;
    let soundId: string | null = usedSound && usedSound.realm === store.name ? usedSound.id : null;
    let ownSound: { id: string; key: string } | undefined;
    let originalKey: string | null = null;
    try {
      const still = await stills(first.mp4, duration, out, { ...run(0, 0), onProgress: undefined });
      firstRendition = await publishRung(store, prefix, out, rungs[0]!, duration);
      const posterKey = `${prefix}poster.jpg`;
      await store.blobs.putFile(posterKey, still.poster, { contentType: 'image/jpeg' });
      const thumbKeys: string[] = [];
      for (const [i, t] of still.thumbnails.entries()) {
        const key = `${prefix}thumbs/${i + 1}.jpg`;
        await store.blobs.putFile(key, t, { contentType: 'image/jpeg' });
        thumbKeys.push(key);
      }
      await putMaster(store, prefix, out, [rungs[0]!], [firstRendition], facts.fps);
      await store.db
        .updateTable('videos')
        .set({
          renditions: JSON.stringify([firstRendition]),
          hls_master_key: `${prefix}hls/master.m3u8`,
          poster_key: posterKey,
          thumbnail_keys: JSON.stringify(thumbKeys),
          duration_ms: Math.round(duration * 1000),
          width: rungs.at(-1)!.width,
          height: rungs.at(-1)!.height,
          has_audio: srcHasAudio || usedSound ? 1 : 0,
          progress: 50,
          updated_at: Date.now(),
        })
        .where('id', '=', upload.video_id)
        .execute();

      // 5. the soundtrack becomes a reusable sound (unless it is silence or someone else's sound)
      if (!usedSound && srcHasAudio && !options.duetOf) {
        // the sound's id is its video's: a re-run after a crash writes the same key, never a second sound
        const id = upload.video_id;
        const key = soundKey(owner, id);
        await store.blobs.putFile(key, await extractAudio(first.mp4, join(work, 'sound-out.m4a'), { ...run(0, 0), onProgress: undefined }), {
          contentType: 'audio/mp4',
        });
        ownSound = { id, key };
        soundId = id;
      }

      // 6. the original: kept under the video, or dropped
      if (limits.keepOriginal) {
        originalKey = `${prefix}original`;
        await store.blobs.putFile(originalKey, source);
      }
    } catch (err) {
      stage2Abort.abort();
      await stage2.catch(() => {});
      signal.removeEventListener('abort', stopStage2);
      throw err;
    }
    try {
      await stage2;
    } finally {
      signal.removeEventListener('abort', stopStage2);
    }
    const renditions = [firstRendition];
    for (const r of rest) renditions.push(await publishRung(store, prefix, out, r, duration));
    await putMaster(store, prefix, out, rungs, renditions, facts.fps);

    // 7. one transaction flips everything to ready, exactly once
    await store.db.transaction().execute(async (trx) => {
      const flipped = await trx
        .updateTable('uploads')
        .set({ state: 'ready', updated_at: Date.now() })
        .where('id', '=', uploadId)
        .where('state', '!=', 'ready')
        .executeTakeFirst();
      if (Number(flipped.numUpdatedRows) !== 1) return;
      if (ownSound) {
        try {
          await trx
            .insertInto('sounds')
            .values({
              id: ownSound.id,
              owner_id: owner,
              video_id: upload.video_id,
              title: options.soundTitle?.trim() || 'Original sound',
              audio_key: ownSound.key,
              duration_ms: Math.round(duration * 1000),
              usage_count: 1,
              created_at: Date.now(),
            })
            .execute();
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
      }
      // Use counts are kept where the sound lives; a sound from another realm is counted there (see docs/MEDIA.md).
      if (usedSound && usedSound.realm === store.name)
        await trx
          .updateTable('sounds')
          .set((eb) => ({ usage_count: eb('usage_count', '+', 1) }))
          .where('id', '=', usedSound.id)
          .execute();
      await trx
        .updateTable('videos')
        .set({
          status: 'ready',
          progress: 100,
          renditions: JSON.stringify(renditions),
          sound_id: soundId,
          original_key: originalKey,
          ready_at: Date.now(),
          updated_at: Date.now(),
        })
        .where('id', '=', upload.video_id)
        .execute();
    });
    await store.blobs.delete(sourceKey);
  } catch (err) {
    if (err instanceof ToolError && err.reason === 'timeout')
      throw new JobError('processing_timeout', 'Processing this video took too long and was stopped.', { permanent: true });
    if (err instanceof ToolError && err.reason === 'exit') throw new JobError('transcode_failed', 'The video could not be converted.');
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
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

async function publishRung(store: RealmStore, prefix: string, out: string, rung: Rung, duration: number): Promise<Rendition> {
  const mp4 = join(out, `${rung.name}.mp4`);
  const hlsDir = join(out, 'hls', rung.name);
  // HLS parts first, the playlist last, the MP4 after: a reader never sees a playlist naming missing segments.
  const files = (await readdir(hlsDir)).sort((a, b) => (a === 'index.m3u8' ? 1 : b === 'index.m3u8' ? -1 : a.localeCompare(b)));
  for (const f of files) await store.blobs.putFile(`${prefix}hls/${rung.name}/${f}`, join(hlsDir, f), { contentType: contentType(f) });
  const key = `${prefix}${rung.name}.mp4`;
  const size = (await stat(mp4)).size;
  await store.blobs.putFile(key, mp4, { contentType: 'video/mp4' });
  return {
    name: rung.name,
    width: rung.width,
    height: rung.height,
    bitrate: Math.round((size * 8) / Math.max(0.1, duration)),
    sizeBytes: size,
    key,
    hlsKey: `${prefix}hls/${rung.name}/index.m3u8`,
  };
}

async function putMaster(store: RealmStore, prefix: string, out: string, rungs: Rung[], renditions: Rendition[], fps: number) {
  const entries = [];
  for (const [i, r] of rungs.entries()) {
    entries.push({
      rung: r,
      bandwidth: Math.max(r.maxrate + 128_000, renditions[i]!.bitrate),
      averageBandwidth: renditions[i]!.bitrate,
      codecs: codecsString(h264Level(r, outputFps(fps))),
      fps: Math.min(fps, 60),
    });
  }
  const file = join(out, 'hls', 'master.m3u8');
  await writeFile(file, masterPlaylist(entries));
  await store.blobs.putFile(`${prefix}hls/master.m3u8`, file, { contentType: 'application/vnd.apple.mpegurl' });
}

function contentType(file: string): string {
  if (file.endsWith('.m3u8')) return 'application/vnd.apple.mpegurl';
  if (file.endsWith('.m4s')) return 'video/iso.segment';
  return 'video/mp4';
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
