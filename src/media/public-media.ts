import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { RealmStore } from '../realm/store.ts';
import { JobError } from '../jobs/queue.ts';
import type { Rendition } from './schema.ts';
import { blockedBetween, mayReuse } from '../social/reuse.ts';

// Sounds and duet sources used by a new video. In the uploader's own realm they
// are read from its own store. From another realm they are used only through
// that realm's *public* media: the public JSON API and the public rendition /
// sound URLs, exactly what any visitor could download. The job never opens the
// other realm's database or blob store (R4, R13).

export interface SoundRef {
  id: string;
  realm?: string;
  /** the uploader: reuse follows what they may see (src/social/reuse.ts) */
  by: string;
}
export interface VideoRef {
  videoId: string;
  realm?: string;
  by: string;
}

export interface PublicMedia {
  /** Downloads the sound's audio to `dest`. */
  sound(ref: SoundRef, dest: string, signal?: AbortSignal): Promise<{ realm: string; id: string }>;
  /** Downloads the lowest public rendition of a video whose owner allows duets. */
  duetSource(ref: VideoRef, dest: string, signal?: AbortSignal): Promise<{ realm: string; videoId: string; hasAudio: boolean }>;
}

export type Fetch = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

const soundGone = () => new JobError('sound_not_found', 'The sound you chose is no longer available.', { permanent: true });
const duetGone = () => new JobError('duet_source_not_found', 'The video you are dueting is no longer available.', { permanent: true });
const duetRefused = () => new JobError('duet_not_allowed', 'The creator of that video does not allow duets.', { permanent: true });

// One process serving several realms (the default) needs no public URL: the
// app registers a fetch that answers through its own HTTP routes in-process
// (Fastify inject, no session, no cookie), i.e. exactly as a public visitor.
const inProcess = new WeakMap<object, Fetch>();
export function setInProcessFetch(reelm: object, f: Fetch): void {
  inProcess.set(reelm, f);
}
export function inProcessFetch(reelm: object): Fetch | undefined {
  return inProcess.get(reelm);
}

export function publicMedia(home: RealmStore, opts: { baseUrl?: string; fetch?: Fetch; inProcess?: Fetch } = {}): PublicMedia {
  const local = !opts.baseUrl && !opts.fetch ? opts.inProcess : undefined;
  const doFetch: Fetch = opts.fetch ?? local ?? ((url, init) => fetch(url, init));
  const remote = (realm: string | undefined) => realm !== undefined && realm !== home.name;
  const base = () => {
    if (local) return '';
    if (!opts.baseUrl)
      throw new JobError('remote_media_unavailable', 'Media from another realm cannot be fetched: this server has no public URL configured (http.publicUrl).', {
        permanent: true,
      });
    return opts.baseUrl.replace(/\/$/, '');
  };
  const download = async (url: string, dest: string, signal?: AbortSignal) => {
    const res = await doFetch(url, { signal });
    if (!res.ok || !res.body) throw new JobError('remote_media_unavailable', `Fetching public media failed (${res.status}).`);
    await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream), createWriteStream(dest));
  };
  const json = async (url: string, signal: AbortSignal | undefined, gone: () => JobError) => {
    const res = await doFetch(url, { signal });
    if (res.status === 404) throw gone();
    if (!res.ok) throw new JobError('remote_media_unavailable', `The other realm answered ${res.status}.`);
    return (await res.json()) as any;
  };

  return {
    async sound(ref, dest, signal) {
      if (remote(ref.realm)) {
        const s = await json(`${base()}/api/v1/sounds/${encodeURIComponent(ref.id)}?realm=${encodeURIComponent(ref.realm!)}`, signal, soundGone);
        if (!s.audioUrl || (await blockedBetween(home.db, ref.by, s.creator?.id ?? ''))) throw soundGone();
        await download(absolute(base(), s.audioUrl), dest, signal);
        return { realm: ref.realm!, id: ref.id };
      }
      const row = await home.db.selectFrom('sounds').select(['id', 'audio_key', 'video_id', 'owner_id']).where('id', '=', ref.id).executeTakeFirst();
      if (!row) throw soundGone();
      // checked again here: the source may have been hidden since the upload was accepted
      if ((await mayReuse(home.db, ref.by, { videoId: row.video_id, videoRealm: home.name, ownerId: row.owner_id }, 'sound')) !== 'ok') throw soundGone();
      await pipeline(await home.blobs.get(row.audio_key), createWriteStream(dest));
      return { realm: home.name, id: row.id };
    },
    async duetSource(ref, dest, signal) {
      if (remote(ref.realm)) {
        const verdict = await mayReuse(home.db, ref.by, { videoId: ref.videoId, videoRealm: ref.realm! }, 'duet');
        if (verdict === 'missing') throw duetGone();
        if (verdict === 'not_allowed') throw duetRefused();
        const v = await json(`${base()}/api/v1/videos/${encodeURIComponent(ref.videoId)}?realm=${encodeURIComponent(ref.realm!)}`, signal, duetGone);
        if (!v.allowDuet) throw duetRefused();
        const url = v.renditions?.[0]?.url;
        if (v.status !== 'ready' || !url) throw duetGone();
        await download(absolute(base(), url), dest, signal);
        return { realm: ref.realm!, videoId: ref.videoId, hasAudio: Boolean(v.hasAudio) };
      }
      const row = await home.db
        .selectFrom('videos')
        .select(['id', 'status', 'allow_duet', 'renditions', 'has_audio', 'owner_id'])
        .where('id', '=', ref.videoId)
        .executeTakeFirst();
      if (!row || row.status !== 'ready') throw duetGone();
      const verdict = await mayReuse(home.db, ref.by, { videoId: row.id, videoRealm: home.name, ownerId: row.owner_id }, 'duet');
      if (verdict === 'missing') throw duetGone();
      if (verdict === 'not_allowed' || !row.allow_duet) throw duetRefused();
      const lowest = (JSON.parse(row.renditions) as Rendition[])[0];
      if (!lowest) throw duetGone();
      await pipeline(await home.blobs.get(lowest.key), createWriteStream(dest));
      return { realm: home.name, videoId: row.id, hasAudio: Boolean(row.has_audio) };
    },
  };
}

function absolute(base: string, url: string): string {
  return /^https?:\/\//.test(url) ? url : `${base}${url.startsWith('/') ? '' : '/'}${url}`;
}
