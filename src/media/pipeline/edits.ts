import { join } from 'node:path';
import { composeDuet, type AudioPlan, type Trim } from '../transcode.ts';
import { encodeRun, type UploadRun } from './run.ts';
import type { Source } from './source.ts';

// Step 2: the edits. A duet composes a new source side by side with the other
// video (fetched through the public path: only what its creator allows); a
// used sound becomes the soundtrack.

export interface Edited {
  /** the file to encode: the source, or the composed duet */
  readonly file: string;
  readonly width: number;
  readonly height: number;
  /** the trim still to apply (a duet has applied it already) */
  readonly trim: Trim | undefined;
  readonly srcHasAudio: boolean;
  readonly audio: AudioPlan;
  /** the sound the video uses, when it uses one */
  readonly usedSound: { realm: string; id: string } | undefined;
}

export async function applyEdits(run: UploadRun, source: Source): Promise<Edited> {
  const { options, owner, signal, work } = run;
  let file = source.file;
  let { width, height } = source.facts;
  let trim = source.trim;
  let srcHasAudio = source.facts.audioCodec !== null && !options.mute;
  const pm = run.deps.publicMedia(run.store);
  if (options.duetOf) {
    const other = join(work, 'duet-source.mp4');
    const got = await pm.duetSource({ ...options.duetOf, by: owner }, other, signal);
    const out = join(work, 'duet.mkv');
    const size = await composeDuet(source.file, {
      trim,
      duration: source.duration,
      srcHasAudio,
      other,
      otherHasAudio: got.hasAudio,
      paneHeight: Math.min(height, 1280),
      out,
      run: encodeRun(run, source.duration, 5, 15),
    });
    file = out;
    trim = undefined;
    width = size.width;
    height = size.height;
    srcHasAudio = true;
  }
  let audio: AudioPlan = srcHasAudio ? { kind: 'source' } : { kind: 'silent' };
  let usedSound: { realm: string; id: string } | undefined;
  if (options.sound) {
    const soundFile = join(work, 'sound.m4a');
    usedSound = await pm.sound({ id: options.sound.id, realm: options.sound.realm, by: owner }, soundFile, signal);
    const { offset, mode, volume, originalVolume } = options.sound;
    audio = { kind: 'sound', file: soundFile, offset, mode, sourceHasAudio: srcHasAudio, volume, originalVolume };
  }
  return { file, width, height, trim, srcHasAudio, audio, usedSound };
}
