import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

// Generates the hostile-file corpus and good clips with ffmpeg in a temp dir.
// Small sizes and low frame rates keep generation cheap (CPU is shared).

export function ff(args: string[]) {
  execFileSync('/usr/bin/ffmpeg', ['-nostdin', '-hide_banner', '-v', 'error', '-y', '-threads', '1', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A good clip: testsrc2 + sine (audio unless `audio: false`). */
export function makeClip(file: string, o: { w?: number; h?: number; seconds?: number; fps?: number; audio?: boolean; extra?: string[]; freq?: number } = {}) {
  const { w = 180, h = 320, seconds = 2, fps = 15, audio = true } = o;
  ff([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=${w}x${h}:r=${fps}:d=${seconds}`,
    ...(audio ? ['-f', 'lavfi', '-i', `sine=f=${o.freq ?? 440}:d=${seconds}`] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    ...(audio ? ['-c:a', 'aac', '-b:a', '64k'] : []),
    ...(o.extra ?? []),
    file,
  ]);
  return file;
}

function png(width: number, height: number): Buffer {
  // A valid 1-row PNG whose IHDR may declare any size (the header is all a bomb needs).
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function patchAll(buf: Buffer, find: Buffer, replace: (at: number) => void) {
  for (let i = buf.indexOf(find); i >= 0; i = buf.indexOf(find, i + 1)) replace(i);
}

export interface BadFile {
  name: string;
  expect: string;
  make(dir: string): string;
}

/** At least 25 hostile or unacceptable files, each with the refusal code it must get. */
export const badFiles: BadFile[] = [
  { name: 'zero-bytes.mp4', expect: 'empty_file', make: (d) => (writeFileSync(join(d, 'zero-bytes.mp4'), ''), join(d, 'zero-bytes.mp4')) },
  {
    name: 'text-renamed.mp4',
    expect: 'not_video',
    make: (d) => (writeFileSync(join(d, 'text-renamed.mp4'), 'This is not a video, just some text.\n'.repeat(50)), join(d, 'text-renamed.mp4')),
  },
  { name: 'html.mov', expect: 'not_video', make: (d) => (writeFileSync(join(d, 'html.mov'), '<!doctype html><script>alert(1)</script>'), join(d, 'html.mov')) },
  {
    name: 'random-bytes.mp4',
    expect: 'not_video',
    make: (d) => (
      writeFileSync(join(d, 'random-bytes.mp4'), Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919 + 13) % 251))),
      join(d, 'random-bytes.mp4')
    ),
  },
  { name: 'elf-binary.mp4', expect: 'not_video', make: (d) => (copyFileSync('/bin/true', join(d, 'elf-binary.mp4')), join(d, 'elf-binary.mp4')) },
  {
    name: 'truncated.mp4',
    expect: 'truncated',
    make: (d) => {
      const full = makeClip(join(d, 'full-fs.mp4'), { extra: ['-movflags', '+faststart'] });
      const buf = readFileSync(full);
      writeFileSync(join(d, 'truncated.mp4'), buf.subarray(0, Math.floor(buf.length * 0.6)));
      return join(d, 'truncated.mp4');
    },
  },
  {
    name: 'moov-less.mp4',
    expect: 'truncated',
    make: (d) => {
      const buf = readFileSync(makeClip(join(d, 'full-nofs.mp4')));
      writeFileSync(join(d, 'moov-less.mp4'), buf.subarray(0, buf.indexOf('moov') - 4));
      return join(d, 'moov-less.mp4');
    },
  },
  {
    name: 'corrupt-bitstream.mp4',
    expect: 'corrupt',
    make: (d) => {
      const buf = Buffer.from(readFileSync(makeClip(join(d, 'to-corrupt.mp4'), { extra: ['-movflags', '+faststart'] })));
      const start = buf.indexOf('mdat') + 64;
      for (let i = start; i < buf.length; i++) buf[i] = (i * 131 + 7) & 0xff;
      writeFileSync(join(d, 'corrupt-bitstream.mp4'), buf);
      return join(d, 'corrupt-bitstream.mp4');
    },
  },
  {
    name: 'audio-only.m4a.mp4',
    expect: 'audio_only',
    make: (d) => (ff(['-f', 'lavfi', '-i', 'sine=d=2', '-c:a', 'aac', '-f', 'mp4', join(d, 'audio-only.m4a.mp4')]), join(d, 'audio-only.m4a.mp4')),
  },
  {
    name: 'audio-only.mp3.mp4',
    expect: 'audio_only',
    make: (d) => (ff(['-f', 'lavfi', '-i', 'sine=d=2', '-c:a', 'libmp3lame', '-f', 'mp3', join(d, 'audio-only.mp3.mp4')]), join(d, 'audio-only.mp3.mp4')),
  },
  {
    name: 'audio-with-cover-art.mp4',
    expect: 'audio_only',
    make: (d) => {
      ff(['-f', 'lavfi', '-i', 'color=red:s=200x200:d=1', '-frames:v', '1', join(d, 'cover.png')]);
      ff([
        '-f',
        'lavfi',
        '-i',
        'sine=d=2',
        '-i',
        join(d, 'cover.png'),
        '-map',
        '0:a',
        '-map',
        '1:v',
        '-c:a',
        'libmp3lame',
        '-c:v',
        'png',
        '-disposition:v',
        'attached_pic',
        '-f',
        'mp3',
        join(d, 'audio-with-cover-art.mp4'),
      ]);
      return join(d, 'audio-with-cover-art.mp4');
    },
  },
  {
    name: 'png-renamed.mp4',
    expect: 'still_image',
    make: (d) => (
      ff(['-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', join(d, 'png-renamed.mp4')]),
      join(d, 'png-renamed.mp4')
    ),
  },
  {
    name: 'jpeg-renamed.mov',
    expect: 'still_image',
    make: (d) => (
      ff(['-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', join(d, 'jpeg-renamed.mov')]),
      join(d, 'jpeg-renamed.mov')
    ),
  },
  {
    name: 'polyglot-png-then-mp4.mp4',
    expect: 'still_image',
    make: (d) => {
      ff(['-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', '-c:v', 'png', join(d, 'poly.png')]);
      writeFileSync(join(d, 'polyglot-png-then-mp4.mp4'), Buffer.concat([readFileSync(join(d, 'poly.png')), readFileSync(makeClip(join(d, 'poly-tail.mp4')))]));
      return join(d, 'polyglot-png-then-mp4.mp4');
    },
  },
  {
    name: 'png-bomb-16000.mp4',
    expect: 'still_image',
    make: (d) => (writeFileSync(join(d, 'png-bomb-16000.mp4'), png(16000, 16000)), join(d, 'png-bomb-16000.mp4')),
  },
  {
    name: 'frame-16000x16000.y4m',
    expect: 'resolution_too_large',
    // a raw 16000×16000 frame: 384 MB if decoded; the header alone must stop it
    make: (d) => (
      writeFileSync(
        join(d, 'frame-16000x16000.y4m'),
        Buffer.concat([Buffer.from('YUV4MPEG2 W16000 H16000 F30:1 Ip A1:1 C420jpeg\nFRAME\n'), Buffer.alloc(4096)]),
      ),
      join(d, 'frame-16000x16000.y4m')
    ),
  },
  {
    name: 'huge-declared-mjpeg.mov',
    expect: 'resolution_too_large',
    make: (d) => {
      const f = join(d, 'small-mjpeg.mov');
      ff(['-f', 'lavfi', '-i', 'testsrc2=s=160x160:r=5:d=1', '-c:v', 'mjpeg', f]);
      const buf = Buffer.from(readFileSync(f));
      // JPEG SOF0 (FFC0): length(2) precision(1) height(2) width(2) → 16000×16000 (larger sizes are refused by the decoder itself)
      patchAll(buf, Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08]), (i) => {
        buf.writeUInt16BE(16000, i + 5);
        buf.writeUInt16BE(16000, i + 7);
      });
      // the sample description (stsd → mjpa/jpeg entry) width/height fields
      patchAll(buf, Buffer.from('jpeg'), (i) => {
        if (i + 36 < buf.length) {
          buf.writeUInt16BE(16000, i + 28);
          buf.writeUInt16BE(16000, i + 30);
        }
      });
      writeFileSync(join(d, 'huge-declared-mjpeg.mov'), buf);
      return join(d, 'huge-declared-mjpeg.mov');
    },
  },
  {
    name: 'wide-4608x160.mp4',
    expect: 'resolution_too_large',
    make: (d) => makeClip(join(d, 'wide-4608x160.mp4'), { w: 4608, h: 160, seconds: 1, fps: 5, audio: false }),
  },
  { name: 'tiny-64x64.mp4', expect: 'resolution_too_small', make: (d) => makeClip(join(d, 'tiny-64x64.mp4'), { w: 64, h: 64, seconds: 1 }) },
  { name: 'sliver-8x400.mp4', expect: 'resolution_too_small', make: (d) => makeClip(join(d, 'sliver-8x400.mp4'), { w: 8, h: 400, seconds: 1 }) },
  {
    name: 'twenty-minutes.mp4',
    expect: 'too_long',
    make: (d) => {
      const one = makeClip(join(d, 'one-second.mp4'), { w: 160, h: 160, seconds: 1, fps: 2 });
      ff(['-stream_loop', '1199', '-i', one, '-c', 'copy', join(d, 'twenty-minutes.mp4')]);
      return join(d, 'twenty-minutes.mp4');
    },
  },
  { name: 'blink-0.1s.mp4', expect: 'too_short', make: (d) => makeClip(join(d, 'blink-0.1s.mp4'), { seconds: 0.1, fps: 30 }) },
  {
    name: 'mpeg2-in-mp4.mp4',
    expect: 'unsupported_codec',
    make: (d) => (ff(['-f', 'lavfi', '-i', 'testsrc2=s=180x320:r=15:d=1', '-c:v', 'mpeg2video', join(d, 'mpeg2-in-mp4.mp4')]), join(d, 'mpeg2-in-mp4.mp4')),
  },
  {
    name: 'mjpeg-in-mov.mov',
    expect: 'unsupported_codec',
    make: (d) => (ff(['-f', 'lavfi', '-i', 'testsrc2=s=180x320:r=15:d=1', '-c:v', 'mjpeg', join(d, 'mjpeg-in-mov.mov')]), join(d, 'mjpeg-in-mov.mov')),
  },
  {
    name: 'mp2-audio.mkv',
    expect: 'unsupported_codec',
    make: (d) => (
      ff([
        '-f',
        'lavfi',
        '-i',
        'testsrc2=s=180x320:r=15:d=1',
        '-f',
        'lavfi',
        '-i',
        'sine=d=1',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-c:a',
        'mp2',
        join(d, 'mp2-audio.mkv'),
      ]),
      join(d, 'mp2-audio.mkv')
    ),
  },
  {
    name: 'h264-in-flv.mp4',
    expect: 'unsupported_container',
    make: (d) => (
      ff(['-f', 'lavfi', '-i', 'testsrc2=s=180x320:r=15:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'flv', join(d, 'h264-in-flv.mp4')]),
      join(d, 'h264-in-flv.mp4')
    ),
  },
  {
    name: 'mpeg4-in-avi.mp4',
    expect: 'unsupported_container',
    make: (d) => (
      ff(['-f', 'lavfi', '-i', 'testsrc2=s=180x320:r=15:d=1', '-c:v', 'mpeg4', '-f', 'avi', join(d, 'mpeg4-in-avi.mp4')]),
      join(d, 'mpeg4-in-avi.mp4')
    ),
  },
  {
    name: 'animated.gif.mp4',
    expect: 'unsupported_container',
    make: (d) => (ff(['-f', 'lavfi', '-i', 'testsrc2=s=180x320:r=5:d=1', '-f', 'gif', join(d, 'animated.gif.mp4')]), join(d, 'animated.gif.mp4')),
  },
  {
    name: 'subtitles-only.mkv',
    expect: 'no_video_stream',
    make: (d) => {
      writeFileSync(join(d, 'subs.srt'), '1\n00:00:00,000 --> 00:00:02,000\nHello\n');
      ff(['-i', join(d, 'subs.srt'), '-c:s', 'srt', join(d, 'subtitles-only.mkv')]);
      return join(d, 'subtitles-only.mkv');
    },
  },
  {
    name: 'frame-rate-1000.mkv',
    expect: 'frame_rate_too_high',
    make: (d) => makeClip(join(d, 'frame-rate-1000.mkv'), { w: 160, h: 160, seconds: 0.6, fps: 1000, audio: false }),
  },
];
