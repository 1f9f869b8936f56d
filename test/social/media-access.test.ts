import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { makeVideo, postVideo } from './helpers.ts';

// S2 for videos: renditions, posters and sounds of a video are fetchable without
// a grant only when the video is posted to a public audience. Followers-only,
// private and not-yet-posted videos need a short-lived signed grant.

for (const lane of lanes()) {
  describe(`video media access follows the post's audience [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    const fetchMedia = (realm: string, key: string) => t.app.inject({ url: `/media/${realm}/${key}` });
    const keysOf = (ownerId: string, videoId: string) => ({
      rendition: `users/${ownerId}/videos/${videoId}/540.mp4`,
      poster: `users/${ownerId}/videos/${videoId}/poster.jpg`,
    });

    test('public posts are public; followers-only, private and unposted videos are not', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const stranger = await signUp(t, { country: 'US' });
      const pub = await postVideo(t, creator, { caption: 'for everyone', audience: 'public' }, { soundTitle: 'Open tune' });
      const fol = await postVideo(t, creator, { caption: 'for my followers', audience: 'followers' }, { soundTitle: 'Fans tune' });
      const priv = await postVideo(t, creator, { caption: 'just me', audience: 'private' });
      const unposted = await makeVideo(t, creator);

      for (const key of Object.values(keysOf(creator.userId, pub.videoId))) assert.equal((await fetchMedia('eu', key)).statusCode, 200, key);
      assert.equal((await fetchMedia('eu', `users/${creator.userId}/sounds/${pub.soundId}.m4a`)).statusCode, 200);

      for (const v of [fol, priv, unposted]) {
        for (const key of Object.values(keysOf(creator.userId, v.videoId))) {
          const res = await fetchMedia('eu', key);
          assert.equal(res.statusCode, 404, `${key} must need a grant`);
        }
        // the media-level view does not leak it either, to strangers or anonymous visitors
        assert.equal((await t.app.inject({ url: `/api/v1/videos/${v.videoId}`, headers: stranger.headers })).statusCode, 404);
        assert.equal((await t.app.inject({ url: `/api/v1/videos/${v.videoId}` })).statusCode, 404);
      }
      assert.equal((await fetchMedia('eu', `users/${creator.userId}/sounds/${fol.soundId}.m4a`)).statusCode, 404);

      // the owner gets signed URLs that work, and a tampered one does not
      const own = await t.app.inject({ url: `/api/v1/videos/${priv.videoId}`, headers: creator.headers });
      assert.equal(own.statusCode, 200, own.body);
      const signed = JSON.stringify(own.json()).match(/\/media\/eu\/[^"]+540\.mp4\?[^"]+/)?.[0];
      assert.ok(signed, 'owner view carries a signed rendition URL');
      assert.equal((await t.app.inject({ url: signed!, headers: creator.headers })).statusCode, 200);
      assert.equal((await t.app.inject({ url: signed!.replace(/g=[^&]+/, 'g=AAAA'), headers: creator.headers })).statusCode, 403);

      // making the public post private takes its media off the public path
      const patch = await t.app.inject({ method: 'PATCH', url: `/api/v1/posts/${pub.post.id}`, headers: creator.headers, payload: { audience: 'private' } });
      assert.equal(patch.statusCode, 200, patch.body);
      assert.equal((await fetchMedia('eu', keysOf(creator.userId, pub.videoId).rendition)).statusCode, 404);
    });
  });
}
