import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { outputFps, teeAudioSlave, teeSlaves, x264Args, type Rung } from './ladder.ts';
import { FFMPEG, runTool, ToolError } from './tools.ts';

// The ffmpeg runs of the pipeline, file in → files out; no database, no blobs.
// The whole ladder is ONE ffmpeg run: the source is decoded once, `split` feeds
// every rung's scaler and x264, the soundtrack is normalised and AAC-encoded
// once, and the tee muxer writes each rung's faststart MP4 + HLS fMP4 playlist
// (plus the sound file) from those encodes; the poster and thumbnails are
// picked from the lowest rung's frames in the same run. Loudness is measured
// first by a cheap audio-only pass, so the encode applies a fixed gain instead
// of loudnorm's 3-second lookahead, which would hold back every segment.

export interface Trim {
  start: number;
  /** seconds into the source; undefined = to the end */
  end?: number;
}

export type AudioPlan =
  | { kind: 'source' }
  | { kind: 'silent' }
  | {
      kind: 'sound';
      file: string;
      offset: number;
      mode: 'replace' | 'mix';
      sourceHasAudio: boolean;
      /** mix: linear gains of the added sound and of the source's own audio */
      volume: number;
      originalVolume: number;
    };

export interface EncodeRun {
  threads: number;
  /** x264 preset of rungs not in `presets` */
  preset: string;
  /** x264 preset by rung name */
  presets?: Record<string, string>;
  memoryBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** 0–1 within this run */
  onProgress?: (fraction: number) => void;
}

/** EBU R128 targets: integrated −14 LUFS, true peak ≤ −1.5 dBTP. */
export const LOUDNESS_TARGET = { integrated: -14, truePeak: -1.5 };

/** Single-pass EBU R128 normalisation (what a hand-written one-command encode uses; the bench's baseline). */
export const LOUDNORM = 'loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000,aformat=channel_layouts=stereo';

/** Every soundtrack is measured and encoded as 48 kHz stereo. */
const AUDIO_FORMAT = 'aresample=48000,aformat=channel_layouts=stereo';

export interface Loudness {
  /** integrated loudness, LUFS (−Infinity for silence) */
  integrated: number;
  /** true peak, dBTP */
  truePeak: number;
}

function trimArgs(t: Trim | undefined): string[] {
  if (!t) return [];
  return [...(t.start > 0 ? ['-ss', t.start.toFixed(3)] : []), ...(t.end !== undefined ? ['-to', t.end.toFixed(3)] : [])];
}

function progressOf(duration: number, onProgress?: (f: number) => void) {
  return (line: string) => {
    const m = /^out_time_(?:us|ms)=(\d+)/.exec(line);
    if (m && onProgress && duration > 0) onProgress(Math.min(1, Number(m[1]) / 1e6 / duration));
  };
}

const common = (threads: number) => ['-nostdin', '-hide_banner', '-v', 'error', '-y', '-threads', String(threads), '-filter_threads', String(threads)];

/** Inputs and the filter graph producing `[a]`, the final soundtrack before normalisation (48 kHz stereo, exactly `duration` long). */
function audioSource(src: string, trim: Trim | undefined, audio: AudioPlan, duration: number | undefined): { inputs: string[]; graph: string } {
  const inputs = [...trimArgs(trim), '-i', src];
  // without a duration (measuring before it is known) the source's audio as it is: padding with silence changes no loudness
  if (audio.kind === 'source' && duration === undefined) return { inputs, graph: `[0:a:0]${AUDIO_FORMAT}[a]` };
  if (duration === undefined) throw new Error('audioSource: a duration is needed for this audio plan');
  const D = duration.toFixed(3);
  if (audio.kind === 'source') return { inputs, graph: `[0:a:0]${AUDIO_FORMAT},apad,atrim=0:${D}[a]` };
  if (audio.kind === 'silent') return { inputs, graph: `anullsrc=r=48000:cl=stereo,atrim=0:${D}[a]` };
  inputs.push(...(audio.offset > 0 ? ['-ss', audio.offset.toFixed(3)] : []), '-i', audio.file);
  return {
    inputs,
    graph:
      audio.mode === 'mix' && audio.sourceHasAudio
        ? `[1:a:0]${AUDIO_FORMAT},volume=${audio.volume.toFixed(3)},apad[snd];[0:a:0]${AUDIO_FORMAT},volume=${audio.originalVolume.toFixed(3)},apad[own];[own][snd]amix=inputs=2:duration=first:normalize=0,atrim=0:${D}[a]`
        : `[1:a:0]${AUDIO_FORMAT},apad,atrim=0:${D}[a]`,
  };
}

/**
 * Pass 1 of EBU R128 normalisation, on the audio only (no video is decoded:
 * a fraction of a second of CPU): integrated loudness and true peak of the
 * exact soundtrack the encode will carry. Undefined for a silent plan.
 */
export async function measureLoudness(src: string, opts: { trim?: Trim; audio: AudioPlan; duration?: number; run: EncodeRun }): Promise<Loudness | undefined> {
  if (opts.audio.kind === 'silent') return undefined;
  const { inputs, graph } = audioSource(src, opts.trim, opts.audio, opts.duration);
  const { stderr } = await runTool(
    FFMPEG,
    [
      '-nostdin',
      '-hide_banner',
      '-nostats',
      '-v',
      'info',
      '-threads',
      '1',
      ...inputs.flatMap((a) => (a === '-i' ? ['-vn', '-i'] : [a])),
      '-filter_complex',
      `${graph};[a]ebur128=peak=true[m]`,
      '-map',
      '[m]',
      '-f',
      'null',
      '-',
    ],
    { timeoutMs: opts.run.timeoutMs, signal: opts.run.signal, memoryBytes: opts.run.memoryBytes },
  );
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const num = (re: RegExp) => {
    const m = re.exec(summary);
    if (!m) throw new Error(`loudness measurement unreadable: ${summary.slice(0, 200)}`);
    return m[1] === '-inf' ? -Infinity : Number(m[1]);
  };
  return { integrated: num(/I:\s+(-inf|-?[\d.]+) LUFS/), truePeak: num(/Peak:\s+(-inf|-?[\d.]+) dBFS/) };
}

/**
 * Pass 2 of EBU R128 normalisation: one gain that brings the integrated
 * loudness to −14 LUFS (never more than +20 dB, and none for near-silence),
 * and a lookahead limiter (5 ms, delay compensated) only when that gain would
 * push the true peak above −1.5 dBTP. The limiter works on sample peaks, so
 * it is set 0.5 dB lower to leave room for inter-sample peaks.
 */
export function normaliseChain(l: Loudness | undefined): string {
  if (!l || !(l.integrated > -70)) return 'anull';
  const gain = Math.max(-30, Math.min(20, LOUDNESS_TARGET.integrated - l.integrated));
  const chain = [`volume=${gain.toFixed(2)}dB`];
  if (l.truePeak + gain > LOUDNESS_TARGET.truePeak) {
    const limit = 10 ** ((LOUDNESS_TARGET.truePeak - 0.5) / 20);
    chain.push(`alimiter=limit=${limit.toFixed(4)}:level=false:latency=true:attack=5:release=50`);
  }
  return chain.join(',');
}

export interface LadderOutputs {
  mp4: Record<string, string>;
  hlsDir: Record<string, string>;
  poster: string;
  thumbnails: string[];
  /** the soundtrack alone, when asked for */
  sound?: string;
}

/** Where the encode writes rung `name`'s HLS files (watched while it runs to publish the lowest rung early). */
export const hlsDirOf = (outDir: string, name: string) => join(outDir, 'hls', name);

/** Poster (at 1 s, or mid-clip if shorter) and three thumbnails at ¼, ½, ¾. */
export function stillTimes(duration: number): number[] {
  return [Math.min(1, duration / 2), duration / 4, duration / 2, (3 * duration) / 4];
}

/**
 * The whole ladder in one ffmpeg run (see the top of this file). `audioChain`
 * is the normalisation (`normaliseChain` of the measured loudness, or
 * `LOUDNORM` for single-pass). Every frame is decoded with `-xerror`: a
 * damaged bitstream anywhere fails the run (see `decodesCleanly`).
 */
export async function encodeLadder(
  src: string,
  opts: {
    rungs: Rung[];
    fps: number;
    duration: number;
    trim?: Trim;
    audio: AudioPlan;
    audioChain: string;
    outDir: string;
    soundFile?: string;
    run: EncodeRun;
  },
): Promise<LadderOutputs> {
  const { rungs, duration, outDir, run } = opts;
  const fps = outputFps(opts.fps);
  const { inputs, graph: audioGraph } = audioSource(src, opts.trim, opts.audio, duration);
  const n = rungs.length;
  const times = stillTimes(duration);
  const still = (t: number) => `select='isnan(prev_selected_t)*gte(t\\,${t.toFixed(3)})'`;
  const video =
    `[0:v:0]fps=${fps},format=yuv420p,split=${n}${rungs.map((_, i) => `[s${i}]`).join('')};` +
    rungs
      .map((r, i) =>
        i === 0
          ? `[s0]scale=${r.width}:${r.height}:flags=bicubic,setsar=1,split=${1 + times.length}[v0]${times.map((_, j) => `[t${j}]`).join('')}`
          : `[s${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1[v${i}]`,
      )
      .join(';') +
    ';' +
    times.map((t, j) => `[t${j}]${still(t)}[p${j}]`).join(';');
  const graph = `${video};${audioGraph.replace(/\[a\]$/, `,${opts.audioChain}[a]`)}`;
  const out: LadderOutputs = { mp4: {}, hlsDir: {}, poster: join(outDir, 'poster.jpg'), thumbnails: [1, 2, 3].map((i) => join(outDir, `thumb-${i}.jpg`)) };
  const slaves: string[] = [];
  const maps: string[] = [];
  for (const [i, r] of rungs.entries()) {
    out.mp4[r.name] = join(outDir, `${r.name}.mp4`);
    out.hlsDir[r.name] = hlsDirOf(outDir, r.name);
    await mkdir(out.hlsDir[r.name]!, { recursive: true });
    maps.push('-map', `[v${i}]`, ...x264Args(r, fps, run.presets?.[r.name] ?? run.preset, run.threads, i));
    slaves.push(...teeSlaves(i, out.mp4[r.name]!, out.hlsDir[r.name]!));
  }
  if (opts.soundFile) {
    out.sound = opts.soundFile;
    slaves.push(teeAudioSlave(opts.soundFile));
  }
  const stillOutputs = [out.poster, ...out.thumbnails].flatMap((file, j) => ['-map', `[p${j}]`, '-frames:v', '1', '-q:v', '3', '-map_metadata', '-1', file]);
  await runTool(
    FFMPEG,
    [
      ...common(run.threads),
      '-xerror',
      ...inputs,
      '-filter_complex',
      graph,
      ...maps,
      '-map',
      '[a]',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-t',
      duration.toFixed(3),
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-progress',
      'pipe:1',
      '-nostats',
      '-f',
      'tee',
      slaves.join('|'),
      ...stillOutputs,
    ],
    { timeoutMs: run.timeoutMs, signal: run.signal, memoryBytes: run.memoryBytes, onStdoutLine: progressOf(duration, run.onProgress) },
  );
  return out;
}

/**
 * After a failed encode: does the input itself decode, every frame, with
 * `-xerror`? No → the upload is damaged (a permanent refusal); yes → the
 * failure was ours (retried). Runs only on the failure path.
 */
export async function decodesCleanly(src: string, run: EncodeRun): Promise<boolean> {
  try {
    await runTool(FFMPEG, [...common(run.threads), '-xerror', '-i', src, '-map', '0:v:0', '-map', '0:a:0?', '-f', 'null', '-'], {
      timeoutMs: run.timeoutMs,
      signal: run.signal,
      memoryBytes: run.memoryBytes,
    });
    return true;
  } catch (err) {
    if (err instanceof ToolError && err.reason === 'exit') return false;
    throw err;
  }
}

/**
 * Duet: the new video on the left, the original on the right, each fitted into
 * a 9:16 pane (letterboxed if its own aspect differs — the one place we pad),
 * as long as the new video; the original freezes on its last frame if shorter.
 * Both soundtracks are mixed. Output is a high-quality intermediate that then
 * goes through the normal ladder.
 */
export async function composeDuet(
  src: string,
  opts: { trim?: Trim; duration: number; srcHasAudio: boolean; other: string; otherHasAudio: boolean; paneHeight: number; out: string; run: EncodeRun },
) {
  const h = Math.max(2, 2 * Math.round(opts.paneHeight / 2));
  const w = Math.max(2, 2 * Math.round((h * 9) / 16 / 2));
  const D = opts.duration.toFixed(3);
  const pane = (i: number) =>
    `[${i}:v:0]scale=${w}:${h}:force_original_aspect_ratio=decrease:flags=bicubic,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30,format=yuv420p`;
  const audio =
    opts.srcHasAudio && opts.otherHasAudio
      ? `[0:a:0]apad[a0];[1:a:0]apad[a1];[a0][a1]amix=inputs=2:duration=first:normalize=0,atrim=0:${D}[a]`
      : opts.srcHasAudio
        ? `[0:a:0]apad,atrim=0:${D}[a]`
        : opts.otherHasAudio
          ? `[1:a:0]apad,atrim=0:${D}[a]`
          : `anullsrc=r=48000:cl=stereo,atrim=0:${D}[a]`;
  const graph = `${pane(0)}[l];${pane(1)},tpad=stop=-1:stop_mode=clone[r];[l][r]hstack=inputs=2:shortest=1[v];${audio}`;
  await runTool(
    FFMPEG,
    [
      ...common(opts.run.threads),
      ...trimArgs(opts.trim),
      '-i',
      src,
      '-i',
      opts.other,
      '-filter_complex',
      graph,
      '-map',
      '[v]',
      '-map',
      '[a]',
      '-t',
      D,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '12',
      '-c:a',
      'pcm_s16le',
      '-f',
      'matroska',
      opts.out,
    ],
    { timeoutMs: opts.run.timeoutMs, signal: opts.run.signal, memoryBytes: opts.run.memoryBytes },
  );
  return { width: 2 * w, height: h };
}
