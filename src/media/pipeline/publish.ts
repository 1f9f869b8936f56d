import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OwnerBlobs } from '../../blobs/resident-blobs.ts';
import { asVodPlaylist, codecsString, h264Level, masterPlaylist, outputFps, playlistSegments, type Rung } from '../ladder.ts';
import { soundKey } from '../keys.ts';
import type { Rendition } from '../schema.ts';
import { hlsDirOf } from '../transcode.ts';
import type { Encoded } from './encode.ts';
import type { UploadRun } from './run.ts';
import type { Source } from './source.ts';

// Steps 4 and 5: every rung (the lowest one's remaining segments), the stills
// and the master playlist, in an order in which a reader never sees a
// playlist naming a missing file; then the soundtrack as a reusable sound.

export interface Published {
  readonly renditions: Rendition[];
  readonly posterKey: string;
  readonly thumbKeys: string[];
  /** this video's own sound, when its soundtrack became one */
  readonly ownSound: { id: string; key: string } | undefined;
}

export async function publishOutputs(run: UploadRun, source: Source, encoded: Encoded): Promise<Published> {
  const { blobs, prefix } = run;
  const { rungs, out, outputs } = encoded;
  const renditions: Rendition[] = [];
  for (const r of rungs) renditions.push(await publishRung(blobs, prefix, out, r, source.duration, r === rungs[0] ? encoded.published : new Set()));
  const posterKey = `${prefix}poster.jpg`;
  await blobs.putFile(posterKey, outputs.poster, { contentType: 'image/jpeg' });
  const thumbKeys: string[] = [];
  for (const [i, t] of outputs.thumbnails.entries()) {
    const key = `${prefix}thumbs/${i + 1}.jpg`;
    await blobs.putFile(key, t, { contentType: 'image/jpeg' });
    thumbKeys.push(key);
  }
  await putMaster(blobs, prefix, out, rungs, renditions, source.facts.fps);
  let ownSound: { id: string; key: string } | undefined;
  if (encoded.wantsOwnSound && outputs.sound) {
    // the sound's id is its video's: a re-run after a crash writes the same key, never a second sound
    const id = run.upload.video_id;
    const key = soundKey(run.owner, id);
    await blobs.putFile(key, outputs.sound, { contentType: 'audio/mp4' });
    ownSound = { id, key };
  }
  return { renditions, posterKey, thumbKeys, ownSound };
}

export function renditionOf(prefix: string, rung: Rung, sizeBytes: number, duration: number, live = false): Rendition {
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
export function publishLive(blobs: OwnerBlobs, prefix: string, hlsDir: string, name: string, onFirst: () => Promise<void>) {
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

export async function putMaster(blobs: OwnerBlobs, prefix: string, out: string, rungs: Rung[], renditions: Rendition[], fps: number) {
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
