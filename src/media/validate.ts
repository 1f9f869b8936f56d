import { open, stat } from 'node:fs/promises';
import type { MediaConfig } from './media-config.ts';
import { displaySize, frameRate, probe, type ProbeResult, type ProbeStream } from './probe.ts';
import { MediaRefusal, refuse } from './refusals.ts';
import { FFMPEG, runTool, ToolError } from './tools.ts';

// Validation by content: the bytes decide, never the file name or the declared
// type. Cheap checks first and the decode last, so a decompression bomb is
// refused from its header before a single frame is decoded.

export interface MediaFacts {
  container: string;
  durationSeconds: number;
  /** as displayed (rotation applied) */
  width: number;
  height: number;
  fps: number;
  videoCodec: string;
  audioCodec: string | null;
  sizeBytes: number;
}

const IMAGE_FORMATS = /(^|,)(image2|[a-z0-9]+_pipe|gif|apng|ico|tiff|webp)(,|$)/;
const IMAGE_CODECS = new Set(['png', 'mjpeg', 'bmp', 'webp', 'gif', 'tiff', 'jpeg2000', 'qoi', 'apng', 'ppm', 'pgm', 'pam']);

export interface ValidateOptions {
  /**
   * How much is decoded: `sample` (default) the first 2 s and the last 1 s;
   * `none` for a caller that decodes every frame with `-xerror` next anyway
   * (the transcode): the header checks still run first, so a decompression
   * bomb is refused before any frame is decoded.
   */
  decode?: 'sample' | 'none';
}

export async function validateMedia(file: string, limits: MediaConfig, signal?: AbortSignal, opts: ValidateOptions = {}): Promise<MediaFacts> {
  const size = (await stat(file)).size;
  if (size === 0) throw refuse('empty_file', limits);
  if (size > limits.maxBytes) throw refuse('too_large', limits, { size });

  const isoBmff = await sniffIsoBmff(file, size);
  if (isoBmff === 'truncated') throw refuse('truncated', limits);

  const timeoutMs = limits.probeTimeoutSeconds * 1000;
  let info: ProbeResult;
  try {
    info = await probe(file, { timeoutMs, signal, memoryBytes: limits.ffmpegMemoryBytes });
  } catch (err) {
    if (err instanceof ToolError && err.reason === 'timeout') throw refuse('probe_timeout', limits);
    if (err instanceof ToolError && err.reason === 'aborted') throw err;
    throw refuse(isoBmff === 'ok' ? 'corrupt' : 'not_video', limits);
  }
  const format = info.format.format_name ?? '';
  const pictures = info.streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = info.streams.filter((s) => s.codec_type === 'audio');
  const video = pictures[0];

  if (IMAGE_FORMATS.test(format) || (video && IMAGE_CODECS.has(video.codec_name ?? '') && isSingleFrame(video, info))) {
    if (format === 'gif' || format === 'apng') throw refuse('unsupported_container', limits, { container: format });
    throw refuse('still_image', limits);
  }
  if (!video) {
    if (audio.length) throw refuse('audio_only', limits);
    if (info.streams.length === 0 && !format) throw refuse('not_video', limits);
    throw refuse('no_video_stream', limits);
  }
  // Dimensions from the header, before decoding: a decompression bomb stops here.
  const { width, height } = displaySize(video);
  if (!width || !height) throw refuse('corrupt', limits);
  if (Math.max(width, height) > limits.maxLongSide || width * height > limits.maxPixels) throw refuse('resolution_too_large', limits, { width, height });
  if (Math.min(width, height) < limits.minShortSide) throw refuse('resolution_too_small', limits, { width, height });

  const names = format.split(',');
  if (!names.some((n) => limits.containers.includes(n))) throw refuse('unsupported_container', limits, { container: names[0] });
  if (!limits.videoCodecs.includes(video.codec_name ?? '')) throw refuse('unsupported_codec', limits, { kind: 'video', codec: video.codec_name });
  const a = audio[0];
  if (a && !limits.audioCodecs.includes(a.codec_name ?? '')) throw refuse('unsupported_codec', limits, { kind: 'audio', codec: a.codec_name });

  const duration = Number(info.format.duration ?? video.duration);
  if (!Number.isFinite(duration) || duration <= 0) throw refuse('corrupt', limits);
  if (duration > limits.maxDurationSeconds) throw refuse('too_long', limits, { duration });
  if (duration < limits.minDurationSeconds) throw refuse('too_short', limits, { duration });
  const fps = frameRate(video);
  if (fps > limits.maxFrameRate) throw refuse('frame_rate_too_high', limits, { fps: Math.round(fps) });

  if (opts.decode !== 'none') await decodeCheck(file, duration, limits, signal);
  return {
    container: names[0]!,
    durationSeconds: duration,
    width,
    height,
    fps: fps || 30,
    videoCodec: video.codec_name!,
    audioCodec: a?.codec_name ?? null,
    sizeBytes: size,
  };
}

function isSingleFrame(s: ProbeStream, info: ProbeResult): boolean {
  return Number(s.nb_frames ?? 0) <= 1 && !(Number(info.format.duration) > 0.1);
}

/**
 * ISO-BMFF (MP4/MOV) files are walked box by box: a box that runs past the end
 * of the file, or a missing `moov` index, means the file was cut short — the
 * usual result of an interrupted copy. Returns 'other' for non-ISO files.
 */
async function sniffIsoBmff(file: string, size: number): Promise<'ok' | 'truncated' | 'other'> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(16);
    let pos = 0;
    let boxes = 0;
    let sawMoov = false;
    while (pos < size && boxes < 10_000) {
      const { bytesRead } = await fh.read(head, 0, 16, pos);
      if (bytesRead < 8) return boxes > 0 ? 'truncated' : 'other';
      const type = head.toString('latin1', 4, 8);
      if (boxes === 0 && !['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot'].includes(type)) return 'other';
      if (!/^[\x20-\x7e]{4}$/.test(type)) return 'truncated';
      let boxSize = head.readUInt32BE(0);
      if (boxSize === 1) {
        if (bytesRead < 16) return 'truncated';
        boxSize = Number(head.readBigUInt64BE(8));
      } else if (boxSize === 0) boxSize = size - pos; // extends to end of file
      if (boxSize < 8 || pos + boxSize > size) return 'truncated';
      if (type === 'moov') sawMoov = true;
      pos += boxSize;
      boxes++;
    }
    return sawMoov ? 'ok' : 'truncated';
  } finally {
    await fh.close();
  }
}

/** Decodes the first seconds and the last second: a damaged bitstream fails here, not halfway through a transcode. */
async function decodeCheck(file: string, duration: number, limits: MediaConfig, signal?: AbortSignal) {
  const run = async (seek: number | undefined, seconds: number) => {
    let frames = 0;
    try {
      await runTool(
        FFMPEG,
        [
          '-nostdin',
          '-hide_banner',
          '-v',
          'error',
          '-xerror',
          '-threads',
          String(limits.ffmpegThreads),
          ...(seek ? ['-ss', seek.toFixed(3)] : []),
          '-i',
          file,
          '-map',
          '0:v:0',
          '-map',
          '0:a:0?',
          '-t',
          String(seconds),
          '-f',
          'null',
          '-progress',
          'pipe:1',
          '-nostats',
          '-',
        ],
        {
          timeoutMs: limits.probeTimeoutSeconds * 1000,
          signal,
          memoryBytes: limits.ffmpegMemoryBytes,
          onStdoutLine: (l) => {
            if (l.startsWith('frame=')) frames = Number(l.slice(6)) || frames;
          },
        },
      );
    } catch (err) {
      if (err instanceof ToolError && err.reason === 'timeout') throw refuse('probe_timeout', limits);
      if (err instanceof ToolError && err.reason === 'aborted') throw err;
      throw refuse('corrupt', limits);
    }
    if (frames === 0) throw refuse('corrupt', limits);
  };
  await run(undefined, 2);
  if (duration > 3) await run(Math.max(0, duration - 1), 1);
}

export { MediaRefusal };
