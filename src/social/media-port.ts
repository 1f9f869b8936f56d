import type { Kysely } from 'kysely';
import type { Reelm } from '../context.ts';
import type { RealmStore } from '../realm/store.ts';
import { publicMediaUrl, signedMediaUrl } from '../media-serving/media-links.ts';
import { infoBanners, type InfoBanner } from './banners.ts';

// What the social layer needs from the media part (src/media): a video's owner,
// state, duration, sound and duet source, a sound's title and creator, and the
// URLs a client plays. Kept in one file so the media schema can change behind it.
// (Typed loosely: the media tables join the realm registry in their own change.)

export interface VideoFacts {
  id: string;
  ownerId: string;
  status: string;
  durationMs: number;
  soundId: string | null;
  allowDuet: boolean;
  duetOf: { realm: string; videoId: string } | null;
  /** the lowest rendition (ready first) and the poster */
  playKey: string | null;
  posterKey: string | null;
}

export interface SoundFacts {
  id: string;
  realm: string;
  ownerId: string;
  videoId: string;
  title: string;
  durationMs: number;
}

const media = (store: RealmStore) => store.db as unknown as Kysely<any>;

export async function readVideo(store: RealmStore, videoId: string): Promise<VideoFacts | undefined> {
  const v = await media(store).selectFrom('videos').selectAll().where('id', '=', videoId).executeTakeFirst();
  if (!v) return undefined;
  let duetOf: VideoFacts['duetOf'] = null;
  try {
    duetOf = v.duet_of ? JSON.parse(v.duet_of) : null;
  } catch {
    duetOf = null;
  }
  return {
    id: v.id,
    ownerId: v.owner_id,
    status: v.status,
    durationMs: Number(v.duration_ms ?? 0),
    soundId: v.sound_id ?? null,
    allowDuet: Number(v.allow_duet ?? 1) === 1,
    duetOf,
    playKey: firstRendition(v.renditions),
    posterKey: v.poster_key ?? null,
  };
}

/** A sound is public media of its creator's realm; looked up in the realms this process serves. */
export async function findSound(reelm: Reelm, soundId: string, preferRealm?: string): Promise<SoundFacts | undefined> {
  const stores = reelm.realms.all().sort((a, b) => (a.name === preferRealm ? -1 : b.name === preferRealm ? 1 : 0));
  for (const store of stores) {
    const s = await media(store).selectFrom('sounds').selectAll().where('id', '=', soundId).executeTakeFirst();
    if (s) return { id: s.id, realm: store.name, ownerId: s.owner_id, videoId: s.video_id, title: s.title, durationMs: Number(s.duration_ms) };
  }
  return undefined;
}

/** Deletes the media rows and blobs of a video (owner's realm). */
export async function deleteVideoMedia(store: RealmStore, videoId: string): Promise<void> {
  const v = await media(store).selectFrom('videos').selectAll().where('id', '=', videoId).executeTakeFirst();
  if (!v) return;
  // Every blob of a video lives under its owner's prefix; list what the row names and remove it.
  const keys = new Set<string>();
  for (const k of [v.poster_key, v.original_key, v.hls_master_key]) if (k) keys.add(k);
  try {
    for (const r of JSON.parse(v.renditions ?? '[]') as { key?: string; hlsKey?: string }[]) {
      if (r.key) keys.add(r.key);
      if (r.hlsKey) keys.add(r.hlsKey);
    }
    for (const k of JSON.parse(v.thumbnail_keys ?? '[]') as string[]) keys.add(k);
  } catch {
    /* a malformed list still lets the row go */
  }
  for (const k of keys) await store.blobs.delete(k).catch(() => undefined);
  // Media keeps a video's files under one prefix; anything not named by the row goes with it too.
  await store.blobs.deletePrefix(`users/${v.owner_id}/videos/${videoId}/`).catch(() => 0);
  // The video's own sound goes too, unless another video here still uses it.
  const sound = await media(store).selectFrom('sounds').select(['id', 'audio_key']).where('video_id', '=', videoId).executeTakeFirst();
  if (sound) {
    const used = await media(store).selectFrom('videos').select('id').where('sound_id', '=', sound.id).where('id', '!=', videoId).executeTakeFirst();
    if (!used) {
      await store.blobs.delete(sound.audio_key).catch(() => undefined);
      await media(store).deleteFrom('sounds').where('id', '=', sound.id).execute();
    }
  }
  // A video using another video's sound no longer counts as a use of it (once: the row goes in the same transaction).
  await media(store)
    .transaction()
    .execute(async (trx) => {
      const r = await trx.deleteFrom('videos').where('id', '=', videoId).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0 || !v.sound_id) return;
      await trx
        .updateTable('sounds')
        .set((eb) => ({ usage_count: eb('usage_count', '-', 1) }))
        .where('id', '=', v.sound_id)
        .where('video_id', '!=', videoId)
        .where('usage_count', '>', 0)
        .execute();
    });
}

function firstRendition(renditions: string | null): string | null {
  try {
    const list = JSON.parse(renditions ?? '[]') as { key?: string }[];
    return list[0]?.key ?? null;
  } catch {
    return null;
  }
}

export interface PlaybackLinks {
  playUrl: string | null;
  posterUrl: string | null;
  banner: InfoBanner | null;
}

/**
 * The URLs a client uses to play a post and show its poster, from the media
 * serving part: a public post's files have stable public URLs; a followers-only
 * or private post's files get short-lived grants bound to the viewer (S2).
 */
export function playbackLinker(reelm: Reelm, viewerId: string | null) {
  const banners = infoBanners(reelm);
  return (row: { video_realm: string; audience: string; play_key: string | null; poster_key: string | null; hashtags: string }): PlaybackLinks => {
    const link = (key: string | null) => {
      if (!key) return null;
      if (row.audience === 'public') return publicMediaUrl(reelm, row.video_realm, key);
      return signedMediaUrl(reelm, row.video_realm, key, viewerId ? { viewer: viewerId } : {}).url;
    };
    return { playUrl: link(row.play_key), posterUrl: link(row.poster_key), banner: banners(row.hashtags) };
  };
}
export type Linker = ReturnType<typeof playbackLinker>;

/**
 * For the media part's public-media check (media-serving/access.ts): may a
 * video's files be fetched without a grant? Only when it is posted publicly.
 * undefined: the video is not posted (the media part decides).
 */
export async function isPubliclyPosted(store: RealmStore, videoId: string): Promise<boolean | undefined> {
  const p = await store.db.selectFrom('posts').select('audience').where('video_id', '=', videoId).executeTakeFirst();
  if (!p) return undefined;
  // the audience as published: moderation may have narrowed it (a removed video is private, moderation-port.ts)
  const published = await store.db
    .selectFrom('post_index')
    .select('audience')
    .where('video_id', '=', videoId)
    .where('video_realm', '=', store.name)
    .executeTakeFirst();
  return (published?.audience ?? p.audience) === 'public';
}
