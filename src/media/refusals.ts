import type { MediaConfig } from './media-config.ts';

// Every reason an upload can be refused, with a sentence a person understands.
// The code is stable (clients switch on it); the message may name the limit.

export type RefusalCode =
  | 'empty_file'
  | 'too_large'
  | 'not_video'
  | 'still_image'
  | 'audio_only'
  | 'no_video_stream'
  | 'truncated'
  | 'corrupt'
  | 'unsupported_container'
  | 'unsupported_codec'
  | 'resolution_too_small'
  | 'resolution_too_large'
  | 'too_long'
  | 'too_short'
  | 'frame_rate_too_high'
  | 'probe_timeout';

export class MediaRefusal extends Error {
  readonly code: RefusalCode;
  readonly details?: Record<string, unknown>;
  constructor(code: RefusalCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
const mmss = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} min${s % 60 ? ` ${Math.round(s % 60)} s` : ''}` : `${s} s`);

export function refuse(code: RefusalCode, limits: MediaConfig, facts: Record<string, unknown> = {}): MediaRefusal {
  const f = facts as any;
  const messages: Record<RefusalCode, string> = {
    empty_file: 'The file is empty (0 bytes). Nothing was uploaded.',
    too_large: `The file is larger than the ${mb(limits.maxBytes)} limit.`,
    not_video: 'This file is not a video we can read.',
    still_image: 'This is a still image, not a video.',
    audio_only: 'This file has sound but no picture. Upload a video, or use a sound from another video.',
    no_video_stream: 'This file contains no video.',
    truncated: 'The file is incomplete: it ends before the video does. Upload it again from the original.',
    corrupt: 'The video is damaged and cannot be decoded.',
    unsupported_container: `This file format (${f.container ?? 'unknown'}) is not supported. Use MP4, MOV, WebM or MKV.`,
    unsupported_codec: `The ${f.kind ?? 'video'} format ${f.codec ?? ''} is not supported. Use H.264, HEVC, VP9 or AV1 video.`.replace('  ', ' '),
    resolution_too_small: `The video is ${f.width}×${f.height}; its shorter side must be at least ${limits.minShortSide} pixels.`,
    resolution_too_large: `The video is ${f.width}×${f.height}; the largest accepted is ${limits.maxLongSide} pixels on the longer side and ${Math.round(limits.maxPixels / 1e6)} megapixels.`,
    too_long: `The video is ${mmss(Math.round(f.duration ?? 0))} long; the limit is ${mmss(limits.maxDurationSeconds)}.`,
    too_short: `The video is too short; it must last at least ${limits.minDurationSeconds} s.`,
    frame_rate_too_high: `The video runs at ${f.fps} frames per second; at most ${limits.maxFrameRate} are accepted.`,
    probe_timeout: 'Checking this file took too long; it was stopped. It may be damaged.',
  };
  return new MediaRefusal(code, messages[code], facts);
}
