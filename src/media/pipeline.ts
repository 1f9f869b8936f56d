import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RealmStore } from '../realm/store.ts';
import { isUniqueViolation } from '../realm/database.ts';
import { JobError } from '../jobs/queue.ts';
import type { JobContext, JobHandler } from '../jobs/worker.ts';
import type { MediaConfig } from './media-config.ts';
import { asVodPlaylist, codecsString, h264Level, masterPlaylist, outputFps, planLadder, playlistSegments, type Rung } from './ladder.ts';
import { soundKey, uploadPartsPrefix, uploadSourceKey, videoPrefix } from './keys.ts';
import type { UploadOptions } from './options.ts';
import type { PublicMedia } from './public-media.ts';
import { MediaRefusal, refuse } from './refusals.ts';
import type { Rendition, UploadsTable } from './schema.ts';
import {
  composeDuet,
  encodeLadder,
  hlsDirOf,
  decodesCleanly,
  measureLoudness,
  normaliseChain,
  type AudioPlan,
  type EncodeRun,
  type Loudness,
  type Trim,
} from './transcode.ts';
import { FFMPEG, FFPROBE, ToolError } from './tools.ts';
import { validateMedia } from './validate.ts';
import { ownerBlobs, type OwnerBlobs } from '../blobs/resident-blobs.ts';

// The `media.process` job: one upload → one video. Runs in the uploader's home
// realm (the job row is resident there), working in that realm's own work
// folder. Idempotent: the video id is fixed at upload time, blobs go to fixed
// keys, renditions are written as a whole list, and the final flip to `ready`
// is conditional — a re-run after a crash redoes work but never duplicates it.

export const MEDIA_PROCESS = 'media.process';

export interface PipelineDeps {
  limits: MediaConfig;
  publicMedia: (store: RealmStore) => PublicMedia;
  /** x264 preset for every rung, overriding `media.x264Preset(s)` (tests) */
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
  // every file of this upload is written as the owner's, in their home realm (R3)
  const blobs = await ownerBlobs(store, owner);
  const work = join(workDirOf(store), ctx.job.id);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    // 1. the bytes, validated by content
    const sourceKey = uploadSourceKey(owner, uploadId);
    const source = await localCopy(store, sourceKey, join(work, 'source'));
    if (!source) throw new JobError('upload_missing', 'The uploaded file is no longer stored; please upload it again.', { permanent: true });
    // Validation reads headers only (no decode): the encode below decodes every frame
    // with -xerror, so a damaged stream is still refused (see the encode's catch), without
    // a second decode. The loudness pass (audio only) runs meanwhile when the soundtrack
    // is simply the source's.
    const plainAudio = !options.duetOf && !options.sound && !options.mute;
    const earlyLoudness = plainAudio
      ? measureLoudness(source, {
          trim: options.trim,
          audio: { kind: 'source' },
          run: { threads: 1, preset: '', memoryBytes: limits.ffmpegMemoryBytes, timeoutMs: limits.probeTimeoutSeconds * 1000, signal },
        }).catch(() => undefined) // no audio, or a file validation refuses: decided below
      : undefined;
    let facts;
    try {
      facts = await validateMedia(source, limits, signal, { decode: 'none' });
    } catch (err) {
      await earlyLoudness;
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
      preset: deps.preset ?? limits.x264Preset,
      presets: deps.preset ? undefined : limits.x264Presets,
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
      const got = await pm.duetSource({ ...options.duetOf, by: owner }, other, signal);
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
      usedSound = await pm.sound({ id: options.sound.id, realm: options.sound.realm, by: owner }, file, signal);
      audio = { kind: 'sound', file, offset: options.sound.offset, mode: options.sound.mode, sourceHasAudio: srcHasAudio };
    }

    // 3. the whole ladder in one encode; the lowest rung is published segment by segment
    //    while it runs (playable after its first 2-s segment), the rest when it ends
    const rungs = planLadder(width, height, limits.ladder);
    const out = join(work, 'out');
    const prefix = videoPrefix(owner, upload.video_id);
    const hasSoundtrack = srcHasAudio || usedSound !== undefined;
    const wantsOwnSound = !usedSound && srcHasAudio && !options.duetOf;
    // a failed ffmpeg run over a source that does not decode cleanly is the upload's fault: refused, not retried
    const refusedIfCorrupt = async (err: unknown): Promise<unknown> => {
      if (err instanceof ToolError && err.reason === 'exit' && !(await decodesCleanly(src, run(0, 0)))) {
        const refusal = refuse('corrupt', limits);
        return new JobError(refusal.code, refusal.message, { permanent: true });
      }
      return err;
    };
    const loudness: Loudness | undefined =
      audio.kind === 'silent'
        ? undefined
        : (plainAudio && (await earlyLoudness)) ||
          (await measureLoudness(src, { trim, audio, duration, run: run(0, 0) }).catch(async (err: unknown) => {
            throw await refusedIfCorrupt(err);
          }));
    let originalKey: string | null = null;
    // the original is only copied (I/O, no CPU): done while the encode runs, and
    // always awaited before this job ends (a refusal's cleanup must come after it)
    const originalPut = limits.keepOriginal
      ? blobs.putFile(`${prefix}original`, source).then(() => {
          originalKey = `${prefix}original`;
        })
      : Promise.resolve();
    originalPut.catch(() => {}); // awaited below
    const lowest = rungs[0]!;
    const live = publishLive(blobs, prefix, hlsDirOf(out, lowest.name), lowest.name, async () => {
      const rendition = renditionOf(prefix, lowest, 0, 0, true);
      await putMaster(blobs, prefix, out, [lowest], [rendition], facts.fps);
      await store.db
        .updateTable('videos')
        .set({
          renditions: JSON.stringify([rendition]),
          hls_master_key: `${prefix}hls/master.m3u8`,
          duration_ms: Math.round(duration * 1000),
          width: rungs.at(-1)!.width,
          height: rungs.at(-1)!.height,
          has_audio: hasSoundtrack ? 1 : 0,
          updated_at: Date.now(),
        })
        .where('id', '=', upload.video_id)
        .execute();
    });
    const encodeAbort = new AbortController();
    const stopEncode = () => encodeAbort.abort();
    signal.addEventListener('abort', stopEncode, { once: true });
    live.failed.then(stopEncode); // a failed publish stops the encode at once
    let outputs;
    try {
      outputs = await encodeLadder(src, {
        rungs,
        fps: facts.fps,
        duration,
        trim,
        audio,
        audioChain: normaliseChain(loudness),
        outDir: out,
        soundFile: wantsOwnSound ? join(work, 'own-sound.m4a') : undefined,
        run: { ...run(10, 95, Math.max(1, rungs.length)), signal: encodeAbort.signal },
      });
    } catch (err) {
      const publishError = await live.stop().then(
        () => undefined,
        (e: unknown) => e,
      );
      await originalPut.catch(() => {});
      if (publishError !== undefined) throw publishError; // the cause; the encode was stopped for it
      throw await refusedIfCorrupt(err);
    } finally {
      signal.removeEventListener('abort', stopEncode);
    }
    const published = await live.stop().finally(() => originalPut.catch(() => {})); // rethrows a failed publish
    await originalPut;

    // 4. the rest: every rung (the lowest one's remaining segments), stills, master
    const renditions: Rendition[] = [];
    for (const r of rungs) renditions.push(await publishRung(blobs, prefix, out, r, duration, r === lowest ? published : new Set()));
    const posterKey = `${prefix}poster.jpg`;
    await blobs.putFile(posterKey, outputs.poster, { contentType: 'image/jpeg' });
    const thumbKeys: string[] = [];
    for (const [i, t] of outputs.thumbnails.entries()) {
      const key = `${prefix}thumbs/${i + 1}.jpg`;
      await blobs.putFile(key, t, { contentType: 'image/jpeg' });
      thumbKeys.push(key);
    }
    await putMaster(blobs, prefix, out, rungs, renditions, facts.fps);

    // 5. the soundtrack becomes a reusable sound (unless it is silence or someone else's sound)
    let soundId: string | null = usedSound && usedSound.realm === store.name ? usedSound.id : null;
    let ownSound: { id: string; key: string } | undefined;
    if (wantsOwnSound && outputs.sound) {
      // the sound's id is its video's: a re-run after a crash writes the same key, never a second sound
      const id = upload.video_id;
      const key = soundKey(owner, id);
      await blobs.putFile(key, outputs.sound, { contentType: 'audio/mp4' });
      ownSound = { id, key };
      soundId = id;
    }

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
          hls_master_key: `${prefix}hls/master.m3u8`,
          poster_key: posterKey,
          thumbnail_keys: JSON.stringify(thumbKeys),
          duration_ms: Math.round(duration * 1000),
          width: rungs.at(-1)!.width,
          height: rungs.at(-1)!.height,
          has_audio: hasSoundtrack ? 1 : 0,
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

function renditionOf(prefix: string, rung: Rung, sizeBytes: number, duration: number, live = false): Rendition {
  return {
    name: rung.name,
    width: rung.width,
    height: rung.height,
    bitrate: live ? 0 : Math.round((sizeBytes * 8) / Math.max(0.1, duration)),
    sizeBytes,
    key: `${prefix}${rung.name}.mp4`,
    hlsKey: `${prefix}hls/${rung.name}/index.m3u8`,
    ...(live ? { live: true } : {}),
  };
}

/** A finished rung: HLS parts first (skipping those published live), then the playlist as VOD, then the MP4 — a reader never sees a playlist naming missing segments. */
async function publishRung(blobs: OwnerBlobs, prefix: string, out: string, rung: Rung, duration: number, published: Set<string>): Promise<Rendition> {
  const mp4 = join(out, `${rung.name}.mp4`);
  const hlsDir = hlsDirOf(out, rung.name);
  for (const f of (await readdir(hlsDir)).sort()) {
    // segments published live are final once listed; init.mp4 is tiny and put again to be safe
    if (f === 'index.m3u8' || f.endsWith('.tmp') || (f !== 'init.mp4' && published.has(f))) continue;
    await blobs.putFile(`${prefix}hls/${rung.name}/${f}`, join(hlsDir, f), { contentType: contentType(f) });
  }
  const playlist = asVodPlaylist(await readFile(join(hlsDir, 'index.m3u8'), 'utf8'));
  await blobs.put(`${prefix}hls/${rung.name}/index.m3u8`, Buffer.from(playlist), { contentType: contentType('index.m3u8') });
  const size = (await stat(mp4)).size;
  await blobs.putFile(`${prefix}${rung.name}.mp4`, mp4, { contentType: 'video/mp4' });
  return renditionOf(prefix, rung, size, duration);
}

/**
 * Publishes one rung's HLS while ffmpeg writes it: every new segment the
 * (EVENT) playlist lists — ffmpeg lists a segment once it is closed, and
 * replaces the playlist by rename — then the playlist itself; after the first
 * segment, `onFirst` (master playlist + the video row: playable). Polling a
 * local folder every 100 ms costs nothing measurable.
 */
function publishLive(blobs: OwnerBlobs, prefix: string, hlsDir: string, name: string, onFirst: () => Promise<void>) {
  const published = new Set<string>();
  let stopped = false;
  let wake = () => {};
  let firstDone = false;
  let failure: unknown;
  let signalFailed!: () => void;
  const failed = new Promise<void>((res) => (signalFailed = res));
  const tick = async () => {
    let text: string;
    try {
      text = await readFile(join(hlsDir, 'index.m3u8'), 'utf8');
    } catch {
      return; // not written yet
    }
    const segments = playlistSegments(text).filter((f) => !published.has(f));
    if (segments.length === 0) return;
    for (const f of [...(published.has('init.mp4') ? [] : ['init.mp4']), ...segments]) {
      await blobs.putFile(`${prefix}hls/${name}/${f}`, join(hlsDir, f), { contentType: contentType(f) });
      published.add(f);
    }
    await blobs.put(`${prefix}hls/${name}/index.m3u8`, Buffer.from(text), { contentType: contentType('index.m3u8') });
    if (!firstDone) {
      firstDone = true;
      await onFirst();
    }
  };
  const loop = (async () => {
    while (!stopped && failure === undefined) {
      try {
        await tick();
      } catch (err) {
        failure = err;
        signalFailed();
        break;
      }
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 100);
        wake = () => (clearTimeout(timer), r());
      });
    }
  })();
  return {
    failed,
    /** Stops watching; resolves to the files already published, or rethrows a failed publish. */
    async stop(): Promise<Set<string>> {
      stopped = true;
      wake();
      await loop;
      if (failure !== undefined) throw failure;
      return published;
    },
  };
}

async function putMaster(blobs: OwnerBlobs, prefix: string, out: string, rungs: Rung[], renditions: Rendition[], fps: number) {
  const entries = [];
  for (const [i, r] of rungs.entries()) {
    entries.push({
      rung: r,
      bandwidth: Math.max(r.maxrate + 128_000, renditions[i]!.bitrate),
      averageBandwidth: renditions[i]!.bitrate || r.maxrate + 128_000, // a live rung has no measured bitrate yet
      codecs: codecsString(h264Level(r, outputFps(fps))),
      fps: Math.min(fps, 60),
    });
  }
  const file = join(out, 'hls', 'master.m3u8');
  await writeFile(file, masterPlaylist(entries));
  await blobs.putFile(`${prefix}hls/master.m3u8`, file, { contentType: 'application/vnd.apple.mpegurl' });
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
  await store.blobs.deletePrefix(uploadPartsPrefix(upload.owner_id, upload.id));
  await store.blobs.deletePrefix(videoPrefix(upload.owner_id, upload.video_id));
  const sound = await store.db.selectFrom('sounds').select(['id', 'audio_key']).where('video_id', '=', upload.video_id).executeTakeFirst();
  if (sound) {
    await store.blobs.delete(sound.audio_key);
    await store.db.deleteFrom('sounds').where('id', '=', sound.id).execute();
  }
}
