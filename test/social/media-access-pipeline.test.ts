import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { makeClip } from '../media/corpus.ts';
import { blobKeys, mediaWorker, uploadMultipart } from '../media/helpers.ts';

// S2 on the files the media pipeline really writes (renditions, HLS playlists
// and segments, poster, thumbnails, original, sound) — not a hand-made layout:
// every one of them is fetchable without a grant only while the video is posted
// publicly, and the original never is.

for (const lane of lanes()) {
  describe(`media access on the pipeline's own files [${lane}]`, () => {
    let t: TestReelm;
    let creator: TestUser;
    let dir: string;
    before(async () => {
      t = await startReelm(lane);
      creator = await signUp(t, { country: 'DE' });
      dir = mkdtempSync(join(tmpdir(), 'reelm-s2-'));
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function transcoded(name: string): Promise<{ videoId: string; keys: string[] }> {
      const up = await uploadMultipart(t, creator, makeClip(join(dir, `${name}.mp4`), { w: 180, h: 320, seconds: 1 }), { soundTitle: `${name} tune` });
      assert.equal(up.statusCode, 202, up.body);
      const eu = t.reelm.realms.get('eu');
      assert.equal(await mediaWorker(t.reelm, eu).drain(), 1);
      const s = (await t.app.inject({ url: `/api/v1/uploads/${up.json().id}`, headers: creator.headers })).json();
      assert.equal(s.state, 'ready', JSON.stringify(s));
      const sound = await eu.db.selectFrom('sounds').select('audio_key').where('video_id', '=', s.videoId).executeTakeFirstOrThrow();
      const keys = [...(await blobKeys(eu, `users/${creator.userId}/videos/${s.videoId}/`)), sound.audio_key];
      assert.ok(keys.some((k) => /\.m3u8$/.test(k)) && keys.some((k) => /\.mp4$|\.m4s$/.test(k)) && keys.some((k) => k.endsWith('/original')));
      return { videoId: s.videoId, keys };
    }
    const status = async (key: string) => (await t.app.inject({ url: `/media/eu/${key}` })).statusCode;
    const post = (videoId: string, audience: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/posts', headers: creator.headers, payload: { videoId, audience, caption: audience } });

    test(`S2: each file the pipeline writes is public only while its post is public; the original never is (${lane})`, async () => {
      const pub = await transcoded('public');
      const posted = await post(pub.videoId, 'public');
      assert.equal(posted.statusCode, 201, posted.body);
      for (const key of pub.keys) assert.equal(await status(key), key.endsWith('/original') ? 404 : 200, key);

      for (const audience of ['followers', 'private', undefined]) {
        const v = await transcoded(audience ?? 'unposted');
        if (audience) assert.equal((await post(v.videoId, audience)).statusCode, 201);
        for (const key of v.keys) assert.equal(await status(key), 404, `${audience ?? 'unposted'}: ${key} must need a grant`);
      }

      const patch = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/posts/${posted.json().id}`,
        headers: creator.headers,
        payload: { audience: 'private' },
      });
      assert.equal(patch.statusCode, 200, patch.body);
      for (const key of pub.keys) assert.equal(await status(key), 404, `made private: ${key}`);
    });
  });
}
