import assert from 'node:assert/strict';
import { FlowDeliverer } from '../../src/flows/deliverer.ts';
import { follow as graphFollow } from '../../src/graph/service.ts';
import { newId } from '../../src/lib/ids.ts';
import type { TestReelm } from '../helpers/lanes.ts';
import type { TestUser } from '../helpers/users.ts';

// Social tests make videos directly in the realm store (status ready, a fake
// rendition file) so they do not depend on transcoding; everything else goes
// through the public API and the real flow machinery.

export async function makeVideo(
  t: TestReelm,
  owner: TestUser,
  opts: { soundTitle?: string; soundId?: string; duetOf?: { realm: string; videoId: string } } = {},
) {
  const store = t.reelm.realms.get(owner.realm);
  const id = newId();
  const now = Date.now();
  const prefix = `users/${owner.userId}/videos/${id}/`;
  await store.blobs.put(`${prefix}540.mp4`, Buffer.from('fake rendition'), { contentType: 'video/mp4' });
  await store.blobs.put(`${prefix}poster.jpg`, Buffer.from('fake poster'), { contentType: 'image/jpeg' });
  let soundId = opts.soundId ?? null;
  if (opts.soundTitle) {
    soundId = newId();
    const audioKey = `users/${owner.userId}/sounds/${soundId}.m4a`;
    await store.blobs.put(audioKey, Buffer.from('fake audio'), { contentType: 'audio/mp4' });
    await store.db
      .insertInto('sounds')
      .values({
        id: soundId,
        owner_id: owner.userId,
        video_id: id,
        title: opts.soundTitle,
        audio_key: audioKey,
        duration_ms: 9000,
        usage_count: 1,
        created_at: now,
      })
      .execute();
  }
  await store.db
    .insertInto('videos')
    .values({
      id,
      owner_id: owner.userId,
      upload_id: newId(),
      status: 'ready',
      progress: 100,
      duration_ms: 9000,
      width: 540,
      height: 960,
      renditions: JSON.stringify([
        { name: '540p', width: 540, height: 960, bitrate: 1e6, sizeBytes: 14, key: `${prefix}540.mp4`, hlsKey: `${prefix}540.m3u8` },
      ]),
      hls_master_key: null,
      poster_key: `${prefix}poster.jpg`,
      thumbnail_keys: '[]',
      original_key: null,
      has_audio: 1,
      allow_duet: 1,
      sound_id: soundId,
      duet_of: opts.duetOf ? JSON.stringify(opts.duetOf) : null,
      error_code: null,
      error_message: null,
      created_at: now,
      updated_at: now,
      ready_at: now,
    })
    .execute();
  return { videoId: id, soundId };
}

/** Makes a video and posts it through the API. */
export async function postVideo(t: TestReelm, owner: TestUser, body: Record<string, unknown> = {}, video: Parameters<typeof makeVideo>[2] = {}) {
  const v = await makeVideo(t, owner, video);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/posts', headers: owner.headers, payload: { videoId: v.videoId, ...body } });
  assert.equal(res.statusCode, 201, res.body);
  return { ...v, post: res.json() };
}

/** Delivers every pending cross-realm flow message (what the background worker does). */
export async function deliver(t: TestReelm) {
  const stats = await new FlowDeliverer(t.reelm).deliverOnce();
  assert.equal(stats.errors, 0, 'flow delivery had errors');
  return stats;
}

export async function follow(t: TestReelm, who: TestUser, whom: TestUser) {
  const store = t.reelm.realms.get(who.realm);
  const u = await t.reelm.realms
    .get(whom.realm)
    .db.selectFrom('users')
    .select(['id', 'handle', 'display_name'])
    .where('id', '=', whom.userId)
    .executeTakeFirstOrThrow();
  await graphFollow(store, who.userId, { id: u.id, realm: whom.realm, handle: u.handle, displayName: u.display_name, avatarKey: null });
  await deliver(t);
}

export function api(t: TestReelm) {
  return {
    get: (url: string, who?: TestUser) => t.app.inject({ method: 'GET', url, headers: who?.headers }),
    post: (url: string, who: TestUser | undefined, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: who?.headers, payload: payload as any }),
    put: (url: string, who: TestUser | undefined, payload?: unknown) => t.app.inject({ method: 'PUT', url, headers: who?.headers, payload: payload as any }),
    patch: (url: string, who: TestUser | undefined, payload?: unknown) =>
      t.app.inject({ method: 'PATCH', url, headers: who?.headers, payload: payload as any }),
    del: (url: string, who: TestUser | undefined) => t.app.inject({ method: 'DELETE', url, headers: who?.headers }),
  };
}

export const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id).sort();
