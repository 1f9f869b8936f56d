import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { outputFps, teeTarget, x264Args, type Rung } from './ladder.ts';
import { FFMPEG, runTool } from './tools.ts';

// The ffmpeg runs of the pipeline, file in → files out; no database, no blobs.
// Stage 1 encodes the lowest rung alone (plus the normalised soundtrack) so the
// video plays early; stage 2 encodes every other rung in one run, copying the
// audio from stage 1 so loudness normalisation runs once.

export interface Trim {
  start: number;
  /** seconds into the source; undefined = to the end */
  end?: number;
}

export type AudioPlan =
  { kind: 'source' } | { kind: 'silent' } | { kind: 'sound'; file: string; offset: number; mode: 'replace' | 'mix'; sourceHasAudio: boolean };

export interface EncodeRun {
  threads: number;
  preset: string;
  memoryBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** 0–1 within this run */
  onProgress?: (fraction: number) => void;
}

/** EBU R128 loudness normalisation (integrated −14 LUFS, true peak −1.5 dBTP), resampled back to 48 kHz stereo. */
export const LOUDNORM = 'loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000,aformat=channel_layouts=stereo';

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

/** Stage 1: the lowest rung, MP4 + HLS, with the final (normalised) soundtrack. */
export async function encodeFirstRung(
  src: string,
  opts: { rung: Rung; fps: number; duration: number; trim?: Trim; audio: AudioPlan; outDir: string; run: EncodeRun },
) {
  const { rung, duration, outDir, run } = opts;
  const fps = outputFps(opts.fps);
  const hlsDir = join(outDir, 'hls', rung.name);
  await mkdir(hlsDir, { recursive: true });
  const inputs = [...trimArgs(opts.trim), '-i', src];
  const D = duration.toFixed(3);
  let audioGraph: string;
  if (opts.audio.kind === 'source') audioGraph = `[0:a:0]${LOUDNORM},apad,atrim=0:${D}[a]`;
  else if (opts.audio.kind === 'silent') audioGraph = `anullsrc=r=48000:cl=stereo,atrim=0:${D}[a]`;
  else {
    inputs.push(...(opts.audio.offset > 0 ? ['-ss', opts.audio.offset.toFixed(3)] : []), '-i', opts.audio.file);
    audioGraph =
      opts.audio.mode === 'mix' && opts.audio.sourceHasAudio
        ? `[1:a:0]apad[snd];[0:a:0]apad[own];[own][snd]amix=inputs=2:duration=first:normalize=0,atrim=0:${D},${LOUDNORM}[a]`
        : `[1:a:0]apad,atrim=0:${D},${LOUDNORM}[a]`;
  }
  const graph = `[0:v:0]scale=${rung.width}:${rung.height}:flags=bicubic,fps=${fps},format=yuv420p,setsar=1[v];${audioGraph}`;
  await runTool(
    FFMPEG,
    [
      ...common(run.threads),
      ...inputs,
      '-filter_complex',
      graph,
      '-map',
      '[v]',
      '-map',
      '[a]',
      '-t',
      D,
      ...x264Args(rung, fps, run.preset, run.threads),
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ac',
      '2',
      '-ar',
      '48000',
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-progress',
      'pipe:1',
      '-nostats',
      '-f',
      'tee',
      teeTarget(join(outDir, `${rung.name}.mp4`), hlsDir),
    ],
    { timeoutMs: run.timeoutMs, signal: run.signal, memoryBytes: run.memoryBytes, onStdoutLine: progressOf(duration, run.onProgress) },
  );
  return { mp4: join(outDir, `${rung.name}.mp4`), hlsDir };
}

/** Stage 2: all remaining rungs in one decode, audio copied from stage 1's output. */
export async function encodeRungs(
  src: string,
  opts: { rungs: Rung[]; fps: number; duration: number; trim?: Trim; audioFrom: string; outDir: string; run: EncodeRun },
) {
  const { rungs, duration, outDir, run } = opts;
  if (rungs.length === 0) return;
  const fps = outputFps(opts.fps);
  const D = duration.toFixed(3);
  const split =
    rungs.length > 1 ? `fps=${fps},format=yuv420p,split=${rungs.length}${rungs.map((_, i) => `[s${i}]`).join('')};` : `fps=${fps},format=yuv420p[s0];`;
  const graph = `[0:v:0]${split}${rungs.map((r, i) => `[s${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1[v${i}]`).join(';')}`;
  const outputs: string[] = [];
  for (const [i, r] of rungs.entries()) {
    const hlsDir = join(outDir, 'hls', r.name);
    await mkdir(hlsDir, { recursive: true });
    outputs.push(
      '-map',
      `[v${i}]`,
      '-map',
      '1:a:0',
      '-t',
      D,
      ...x264Args(r, fps, run.preset, run.threads),
      '-c:a',
      'copy',
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-f',
      'tee',
      teeTarget(join(outDir, `${r.name}.mp4`), hlsDir),
    );
  }
  await runTool(
    FFMPEG,
    [...common(run.threads), ...trimArgs(opts.trim), '-i', src, '-i', opts.audioFrom, '-filter_complex', graph, ...outputs, '-progress', 'pipe:1', '-nostats'],
    { timeoutMs: run.timeoutMs, signal: run.signal, memoryBytes: run.memoryBytes, onStdoutLine: progressOf(duration, run.onProgress) },
  );
}

/** Poster (at 1 s or mid-clip if shorter) and three thumbnails at ¼, ½, ¾, from a rendition. */
export async function stills(rendition: string, duration: number, outDir: string, run: EncodeRun): Promise<{ poster: string; thumbnails: string[] }> {
  const times = [Math.min(1, duration / 2), duration / 4, duration / 2, (3 * duration) / 4];
  const names = ['poster.jpg', 'thumb-1.jpg', 'thumb-2.jpg', 'thumb-3.jpg'];
  const args = [...common(1)];
  for (const t of times) args.push('-ss', t.toFixed(3), '-i', rendition);
  times.forEach((_, i) => args.push('-map', `${i}:v:0`, '-frames:v', '1', '-q:v', '3', '-map_metadata', '-1', join(outDir, names[i]!)));
  await runTool(FFMPEG, args, { timeoutMs: run.timeoutMs, signal: run.signal, memoryBytes: run.memoryBytes });
  return { poster: join(outDir, names[0]!), thumbnails: names.slice(1).map((n) => join(outDir, n)) };
}

/** The soundtrack of a rendition as its own file (copied, not re-encoded). */
export async function extractAudio(rendition: string, out: string, run: EncodeRun) {
  await runTool(
    FFMPEG,
    [...common(1), '-i', rendition, '-map', '0:a:0', '-vn', '-c:a', 'copy', '-map_metadata', '-1', '-movflags', '+faststart', '-f', 'mp4', out],
    {
      timeoutMs: run.timeoutMs,
      signal: run.signal,
      memoryBytes: run.memoryBytes,
    },
  );
  return out;
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
