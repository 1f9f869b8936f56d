import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeClip } from '../media/corpus.ts';
import { mediaWorker, multipart } from '../media/helpers.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, follow, makeVideo, postVideo } from './helpers.ts';

// Media reuse (duet, use-the-sound) follows the ONE viewing rule, plus
// duetPolicy and blocks; a source the uploader may not see answers exactly
// like a missing one (400, same code), so upload options never leak existence.

for (const lane of lanes()) {
  describe(`reuse of media follows who may see the source [${lane}]`, () => {
    let t: TestReelm;
    const dir = mkdtempSync(join(tmpdir(), 'reelm-reuse-'));
    before(async () => {
      t = await startReelm(lane);
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    // a real clip, so an accepted upload is 202 (a non-video is refused at once)
    let clip: Buffer | undefined;
    const upload = (who: TestUser, options: unknown) => {
      clip ??= readFileSync(makeClip(join(dir, 'ok.mp4'), { seconds: 1, fps: 5 }));
      const m = multipart(clip, 'x.mp4', options);
      return t.app.inject({ method: 'POST', url: '/api/v1/uploads', payload: m.payload, headers: { ...who.headers, ...m.headers } });
    };
    const refusal = async (who: TestUser, options: unknown) => {
      const res = await upload(who, options);
      return { status: res.statusCode, code: res.json().error?.code as string | undefined };
    };

    test('hidden sources answer exactly like missing ones; visible ones are accepted', async () => {
      const creator = await signUp(t, { country: 'US' });
      const stranger = await signUp(t, { country: 'US' });
      const fan = await signUp(t, { country: 'US' });
      await follow(t, fan, creator);
      const fol = await postVideo(t, creator, { audience: 'followers' }, { soundTitle: 'Fans only' });
      const priv = await postVideo(t, creator, { audience: 'private' }, { soundTitle: 'Mine' });
      const unposted = await makeVideo(t, creator, { soundTitle: 'Draft' });
      const pub = await postVideo(t, creator, { audience: 'public' }, { soundTitle: 'Open' });
      await deliver(t);

      const missingDuet = await refusal(stranger, { duetOf: { videoId: 'nosuchvideo0000' } });
      const missingSound = await refusal(stranger, { sound: { id: 'nosuchsound0000' } });
      assert.deepEqual(missingDuet, { status: 400, code: 'duet_source_not_found' });
      assert.deepEqual(missingSound, { status: 400, code: 'sound_not_found' });
      for (const v of [fol, priv, unposted]) {
        assert.deepEqual(await refusal(stranger, { duetOf: { videoId: v.videoId } }), missingDuet, 'duet of a hidden video');
        assert.deepEqual(await refusal(stranger, { sound: { id: v.soundId } }), missingSound, 'sound of a hidden video');
      }
      // a follower may see the followers-only post, so may reuse it; private and unposted stay hidden
      assert.equal((await upload(fan, { duetOf: { videoId: fol.videoId } })).statusCode, 202);
      assert.equal((await upload(fan, { sound: { id: fol.soundId } })).statusCode, 202);
      assert.deepEqual(await refusal(fan, { duetOf: { videoId: priv.videoId } }), missingDuet);
      assert.deepEqual(await refusal(fan, { sound: { id: unposted.soundId } }), missingSound);
      // a public post is open to anyone
      assert.equal((await upload(stranger, { duetOf: { videoId: pub.videoId } })).statusCode, 202);
    });

    test('duetPolicy no_one and followers are respected', async () => {
      const creator = await signUp(t, { country: 'US' });
      const other = await signUp(t, { country: 'US' });
      const closed = await postVideo(t, creator, { audience: 'public', duetPolicy: 'no_one' });
      const fansOnly = await postVideo(t, creator, { audience: 'public', duetPolicy: 'followers' });
      assert.deepEqual(await refusal(other, { duetOf: { videoId: closed.videoId } }), { status: 403, code: 'duet_not_allowed' });
      assert.deepEqual(await refusal(other, { duetOf: { videoId: fansOnly.videoId } }), { status: 403, code: 'duet_not_allowed' });
      await follow(t, other, creator);
      assert.equal((await upload(other, { duetOf: { videoId: fansOnly.videoId } })).statusCode, 202);
    });

    test('a block either way hides the source, at upload and again when the job runs', async () => {
      const creator = await signUp(t, { country: 'US' });
      const blocked = await signUp(t, { country: 'US' });
      const later = await signUp(t, { country: 'US' });
      const pub = await postVideo(t, creator, { audience: 'public' }, { soundTitle: 'Blocked tune' });
      const a = api(t);
      // accepted before the block, refused by the job after it
      const m = multipart(readFileSync(makeClip(join(dir, 'c.mp4'), { seconds: 1, fps: 5 })), 'c.mp4', { sound: { id: pub.soundId } });
      const early = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', payload: m.payload, headers: { ...later.headers, ...m.headers } });
      assert.equal(early.statusCode, 202, early.body);
      assert.equal((await a.put(`/api/v1/blocks/${blocked.handle}`, creator)).statusCode, 200);
      assert.equal((await a.put(`/api/v1/blocks/${creator.handle}`, later)).statusCode, 200);
      await deliver(t);
      assert.deepEqual(await refusal(blocked, { duetOf: { videoId: pub.videoId } }), { status: 400, code: 'duet_source_not_found' });
      assert.deepEqual(await refusal(blocked, { sound: { id: pub.soundId } }), { status: 400, code: 'sound_not_found' });
      await mediaWorker(t.reelm, t.reelm.realms.get('us')).drain();
      const s = (await a.get(`/api/v1/uploads/${early.json().id}`, later)).json();
      assert.equal(s.state, 'failed', JSON.stringify(s));
      assert.equal(s.error.code, 'sound_not_found', 'refused for the block, like a missing sound');
    });
  });
}
