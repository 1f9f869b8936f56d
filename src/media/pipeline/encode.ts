import { join } from 'node:path';
import { JobError } from '../../jobs/queue.ts';
import { planLadder, type Rung } from '../ladder.ts';
import { refuse } from '../refusals.ts';
import { ToolError } from '../tools.ts';
import { decodesCleanly, encodeLadder, hlsDirOf, measureLoudness, normaliseChain, type Loudness } from '../transcode.ts';
import { putMaster, publishLive, renditionOf } from './publish.ts';
import { encodeRun, type UploadRun } from './run.ts';
import type { Edited } from './edits.ts';
import type { Source } from './source.ts';

// Step 3: the whole ladder in one encode. The lowest rung is published segment
// by segment while it runs (playable after its first 2-s segment); the
// original is copied meanwhile (I/O only) when the realm keeps originals.

export interface Encoded {
  readonly rungs: Rung[];
  /** the encoder's output folder */
  readonly out: string;
  readonly outputs: Awaited<ReturnType<typeof encodeLadder>>;
  /** the lowest rung's files already published live */
  readonly published: Set<string>;
  readonly originalKey: string | null;
  readonly hasSoundtrack: boolean;
  /** whether the soundtrack becomes this video's own reusable sound */
  readonly wantsOwnSound: boolean;
}

export async function encodeAndPublishLive(run: UploadRun, source: Source, edited: Edited): Promise<Encoded> {
  const { store, options, limits, signal, prefix, blobs } = run;
  const { duration, facts } = source;
  const rungs = planLadder(edited.width, edited.height, limits.ladder);
  const out = join(run.work, 'out');
  const hasSoundtrack = edited.srcHasAudio || edited.usedSound !== undefined;
  const wantsOwnSound = !edited.usedSound && edited.srcHasAudio && !options.duetOf;
  const pass = (from: number, to: number, extra = 1) => encodeRun(run, duration, from, to, extra);
  // a failed ffmpeg run over a source that does not decode cleanly is the upload's fault: refused, not retried
  const refusedIfCorrupt = async (err: unknown): Promise<unknown> => {
    if (err instanceof ToolError && err.reason === 'exit' && !(await decodesCleanly(edited.file, pass(0, 0)))) {
      const refusal = refuse('corrupt', limits);
      return new JobError(refusal.code, refusal.message, { permanent: true });
    }
    return err;
  };
  const loudness: Loudness | undefined =
    edited.audio.kind === 'silent'
      ? undefined
      : (source.plainAudio && (await source.earlyLoudness)) ||
        (await measureLoudness(edited.file, { trim: edited.trim, audio: edited.audio, duration, run: pass(0, 0) }).catch(async (err: unknown) => {
          throw await refusedIfCorrupt(err);
        }));
  let originalKey: string | null = null;
  // always awaited before this step ends (a refusal's cleanup must come after it)
  const originalPut = limits.keepOriginal
    ? blobs.putFile(`${prefix}original`, source.file).then(() => {
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
      .where('id', '=', run.upload.video_id)
      .execute();
  });
  const encodeAbort = new AbortController();
  const stopEncode = () => encodeAbort.abort();
  signal.addEventListener('abort', stopEncode, { once: true });
  live.failed.then(stopEncode); // a failed publish stops the encode at once
  let outputs;
  try {
    outputs = await encodeLadder(edited.file, {
      rungs,
      fps: facts.fps,
      duration,
      trim: edited.trim,
      audio: edited.audio,
      audioChain: normaliseChain(loudness),
      outDir: out,
      soundFile: wantsOwnSound ? join(run.work, 'own-sound.m4a') : undefined,
      run: { ...pass(10, 95, Math.max(1, rungs.length)), signal: encodeAbort.signal },
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
  return { rungs, out, outputs, published, originalKey, hasSoundtrack, wantsOwnSound };
}
