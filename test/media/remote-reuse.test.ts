import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { deliver } from '../social/helpers.ts';
import { makeClip } from './corpus.ts';
import { mediaWorker, uploadMultipart } from './helpers.ts';

// The default one-process setup (no http.publicUrl, not even listening):
// "use this sound" and duets of another realm's public video work, fetched
// through the app's own public routes in-process, never the other realm's
// stores; the sound page's hint names the sound's realm.

for (const lane of lanes()) {
  describe(`reuse across realms in one process, no public URL [${lane}]`, () => {
    let t: TestReelm;
    const dir = mkdtempSync(join(tmpdir(), 'reelm-remote-reuse-'));
    before(async () => {
      t = await startReelm(lane);
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const process = async (who: TestUser, options: unknown) => {
      const res = await uploadMultipart(t, who, makeClip(join(dir, `${Math.random()}.mp4`), { seconds: 1, fps: 10 }), options);
      assert.equal(res.statusCode, 202, res.body);
      await mediaWorker(t.reelm, t.reelm.realms.get(who.realm)).drain();
      return (await t.app.inject({ url: `/api/v1/uploads/${res.json().id}`, headers: who.headers })).json();
    };

    test('the sound page hint and a duet from another realm work out of the box', async () => {
      assert.equal(t.reelm.config.http.publicUrl, undefined);
      const alice = await signUp(t, { country: 'US' });
      const erika = await signUp(t, { country: 'DE' });
      const a = await process(alice, { soundTitle: 'Tone' });
      assert.equal(a.state, 'ready', JSON.stringify(a));
      const video = (await t.app.inject({ url: `/api/v1/videos/${a.videoId}`, headers: alice.headers })).json();
      const posted = await t.app.inject({ method: 'POST', url: '/api/v1/posts', headers: alice.headers, payload: { videoId: a.videoId, audience: 'public' } });
      assert.equal(posted.statusCode, 201, posted.body);
      await mediaWorker(t.reelm, t.reelm.realms.get('us')).drain();
      await deliver(t);

      const page = await t.app.inject({ url: `/api/v1/sounds/${video.soundId}/videos`, headers: erika.headers });
      assert.equal(page.statusCode, 200, page.body);
      const hint = page.json().sound.use.uploadOption;
      assert.deepEqual(hint, { sound: { id: video.soundId, realm: 'us' } });

      const withSound = await process(erika, hint);
      assert.equal(withSound.state, 'ready', JSON.stringify(withSound));
      const duet = await process(erika, { duetOf: { videoId: a.videoId, realm: 'us' } });
      assert.equal(duet.state, 'ready', JSON.stringify(duet));
    });
  });
}
