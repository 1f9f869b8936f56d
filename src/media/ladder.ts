// The rendition ladder: which sizes a source gets and how each is encoded.
// Sizes are named by the output's shorter side (540p, 720p, 1080p), so a
// vertical 720×1280 source and a landscape 1280×720 source both get 540p and
// 720p. The aspect ratio is kept (scale to fit, never stretched, never padded);
// only rounding to even pixel counts, which H.264 4:2:0 needs, can move it by
// under one pixel. Rungs above the source's size are skipped: never upscaled.

export interface Rung {
  name: string;
  width: number;
  height: number;
  /** peak bitrate cap, bits per second (CRF below it) */
  maxrate: number;
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

export function planLadder(srcWidth: number, srcHeight: number, ladder: readonly number[]): Rung[] {
  const short = Math.min(srcWidth, srcHeight);
  const sizes = [...new Set(ladder)].sort((a, b) => a - b).filter((s) => s <= short);
  if (sizes.length === 0) sizes.push(short); // small source: one rung at its own size
  return sizes.map((s) => {
    const scale = s / short;
    const width = even(srcWidth * scale);
    const height = even(srcHeight * scale);
    const pixels = width * height;
    return { name: `${s}p`, width, height, maxrate: Math.round(Math.max(600_000, (pixels / (540 * 960)) * 2_000_000)) };
  });
}

/** Output frame rate: the source's, capped at 60 (anything faster is halved toward 30). */
export function outputFps(srcFps: number): number {
  if (!(srcFps > 0)) return 30;
  if (srcFps <= 60.5) return Math.round(srcFps * 1000) / 1000;
  return 30;
}

// H.264 levels by frame size and macroblock rate (ITU-T H.264 Table A-1): we set the
// level ourselves so the master playlist's CODECS string matches without probing.
const LEVELS: [idc: number, maxFrameMbs: number, maxMbps: number][] = [
  [30, 1620, 40500],
  [31, 3600, 108000],
  [32, 5120, 216000],
  [40, 8192, 245760],
  [42, 8704, 522240],
  [50, 22080, 589824],
  [51, 36864, 983040],
  [52, 36864, 2073600],
];

export function h264Level(rung: Rung, fps: number): number {
  const mbs = Math.ceil(rung.width / 16) * Math.ceil(rung.height / 16);
  return (LEVELS.find(([, fs, mbps]) => mbs <= fs && mbs * fps <= mbps) ?? LEVELS.at(-1)!)[0];
}

/**
 * x264 options for output video stream `index` (several rungs share one ffmpeg
 * output, so every option carries a stream specifier): H.264 High at the level
 * we advertise, CRF under a per-rung cap, 2-second closed GOPs aligned across
 * rungs (HLS switches at segment edges).
 */
export function x264Args(rung: Rung, fps: number, preset: string, threads: number, index: number): string[] {
  const gop = String(Math.max(1, Math.round(fps * 2)));
  const level = h264Level(rung, fps);
  const o = (name: string, value: string) => [`-${name}:v:${index}`, value];
  return [
    ...o('c', 'libx264'),
    ...o('preset', preset),
    ...o('profile', 'high'),
    ...o('level', `${Math.floor(level / 10)}.${level % 10}`),
    ...o('pix_fmt', 'yuv420p'),
    ...o('threads', String(threads)),
    ...o('crf', '23'),
    ...o('maxrate', String(rung.maxrate)),
    ...o('bufsize', String(rung.maxrate * 2)),
    ...o('g', gop),
    ...o('keyint_min', gop),
    ...o('sc_threshold', '0'),
    ...o('flags', '+cgop+global_header'),
    ...o('force_key_frames', 'expr:gte(t,n_forced*2)'),
  ];
}

const teeEscape = (p: string) => p.replace(/\\/g, '\\\\').replace(/([:|[\]])/g, '\\$1');

/**
 * Tee slaves for rung `index` of one encode: a faststart MP4 and an HLS fMP4
 * playlist (2-second segments) carrying video stream `index` and the one
 * audio stream. The playlist is an EVENT playlist while ffmpeg writes it (so
 * its segments can be published as they appear); it is published as VOD when
 * the encode is done.
 */
export function teeSlaves(index: number, mp4Path: string, hlsDir: string): string[] {
  const sel = `select=\\'v:${index},a\\'`;
  return [
    `[${sel}:f=mp4:movflags=+faststart]${teeEscape(mp4Path)}`,
    `[${sel}:f=hls:hls_time=2:hls_playlist_type=event:hls_segment_type=fmp4:hls_fmp4_init_filename=init.mp4:hls_segment_filename=${teeEscape(`${hlsDir}/seg_%03d.m4s`)}]${teeEscape(`${hlsDir}/index.m3u8`)}`,
  ];
}

/** Tee slave for the soundtrack alone (the video's reusable sound), copied from the same AAC stream. */
export function teeAudioSlave(m4aPath: string): string {
  return `[select=a:f=mp4:movflags=+faststart]${teeEscape(m4aPath)}`;
}

/** An EVENT playlist ffmpeg finished (it ends with #EXT-X-ENDLIST) as the VOD playlist it now is. */
export function asVodPlaylist(text: string): string {
  return text.replace('#EXT-X-PLAYLIST-TYPE:EVENT', '#EXT-X-PLAYLIST-TYPE:VOD');
}

/** Segment names a playlist lists, in order (a listed segment is complete: ffmpeg lists it after closing it). */
export function playlistSegments(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

export function masterPlaylist(entries: { rung: Rung; bandwidth: number; averageBandwidth: number; codecs: string; fps: number }[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const e of entries) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${e.bandwidth},AVERAGE-BANDWIDTH=${e.averageBandwidth},RESOLUTION=${e.rung.width}x${e.rung.height},CODECS="${e.codecs}",FRAME-RATE=${e.fps.toFixed(3)}`,
      `${e.rung.name}/index.m3u8`,
    );
  }
  return lines.join('\n') + '\n';
}

/** RFC 6381 codec string for H.264 High at the given level (e.g. 31 → avc1.64001f) plus AAC-LC. */
export function codecsString(level: number | undefined): string {
  const l = Math.max(10, Math.min(62, level ?? 40));
  return `avc1.6400${l.toString(16).padStart(2, '0')},mp4a.40.2`;
}
