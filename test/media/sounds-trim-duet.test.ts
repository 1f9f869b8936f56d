import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { makeClip } from './corpus.ts';
import { count, ffprobeJson, mediaWorker, uploadMultipart } from './helpers.ts';

// Sounds, trim, mute and duet, end to end on the embedded default. One person
// in another realm uses a US sound: only through its public URL over HTTP.

function meanVolume(file: string, hz?: number): number {
  const r = execFileSync(
    '/bin/sh',
    ['-c', `/usr/bin/ffmpeg -nostdin -hide_banner -threads 1 -i "${file}" -map 0:a:0 -af "${hz ? `bandpass=f=${hz}:w=60,` : ''}volumedetect" -f null - 2>&1`],
    { encoding: 'utf8' },
  );
  return Number(/mean_volume: (-?[\d.]+) dB/.exec(r)?.[1] ?? -999);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function uploadAndProcess(r: TestReelm, user: TestUser, file: string, options?: unknown) {
  const res = await uploadMultipart(r, user, file, options);
  assert.equal(res.statusCode, 202, res.body);
  await mediaWorker(r.reelm, r.reelm.realms.get(user.realm)).drain();
  const s = (await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${res.json().id}`, headers: user.headers })).json();
  assert.equal(s.state, 'ready', JSON.stringify(s));
  const store = r.reelm.realms.get(user.realm);
  const video = await store.db.selectFrom('videos').selectAll().where('id', '=', s.videoId).executeTakeFirstOrThrow();
  const lowest = JSON.parse(video.renditions)[0];
  return { video, file: store.blobs.localPath!(lowest.key) };
}

test('sounds, trim, mute and duet', async (t) => {
  const port = await freePort();
  const r = await startReelm('sqlite', { config: { http: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` } } });
  await r.app.listen({ host: '127.0.0.1', port });
  const dir = mkdtempSync(join(tmpdir(), 'reelm-sounds-'));
  t.after(async () => {
    await r.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const us = r.reelm.realms.get('us');
  const alice = await signUp(r);
  const bob = await signUp(r);
  const clip440 = makeClip(join(dir, 'a.mp4'), { w: 360, h: 640, seconds: 3, freq: 440 });
  const clip880 = makeClip(join(dir, 'b.mp4'), { w: 360, h: 640, seconds: 2, freq: 880 });

  const a = await uploadAndProcess(r, alice, clip440, { soundTitle: 'La' });
  const soundId = a.video.sound_id!;
  assert.ok(soundId);
  assert.ok(meanVolume(a.file, 440) > meanVolume(a.file, 880) + 10, 'Alice’s video carries her 440 Hz tone');
  // a sound is public (and usable from other realms) once its video is posted publicly
  const posted = await r.app.inject({
    method: 'POST',
    url: '/api/v1/posts',
    headers: alice.headers,
    payload: { videoId: a.video.id, caption: 'La la la #tone', audience: 'public' },
  });
  assert.equal(posted.statusCode, 201, posted.body);

  await t.test('use a sound (replace) with trim: new soundtrack, trimmed length, use counted', async () => {
    const b = await uploadAndProcess(r, bob, clip880, { sound: { id: soundId, mode: 'replace', offset: 0.5 }, trim: { start: 0.5, end: 1.7 } });
    assert.equal(b.video.sound_id, soundId);
    assert.ok(Math.abs(Number(ffprobeJson(b.file).format.duration) - 1.2) <= 0.1);
    assert.ok(meanVolume(b.file, 440) > meanVolume(b.file, 880) + 10, 'the sound replaced Bob’s own 880 Hz audio');
    const sound = (await r.app.inject({ method: 'GET', url: `/api/v1/sounds/${soundId}` })).json();
    assert.equal(sound.usageCount, 2);
    assert.equal(sound.title, 'La');
    assert.equal(await count(us, 'sounds'), 1, 'a used sound does not spawn a new one');
  });

  await t.test('use a sound (mix): both tones are heard', async () => {
    const m = await uploadAndProcess(r, bob, clip880, { sound: { id: soundId, mode: 'mix' } });
    const d = meanVolume(m.file, 440) - meanVolume(m.file, 880);
    assert.ok(Math.abs(d) < 10, `both present (difference ${d} dB)`);
  });

  await t.test('use a sound (mix) with levels: the quieter side is turned down, either way round', async () => {
    const soundUp = await uploadAndProcess(r, bob, clip880, { sound: { id: soundId, mode: 'mix', volume: 1, originalVolume: 0.1 } });
    assert.ok(meanVolume(soundUp.file, 440) > meanVolume(soundUp.file, 880) + 10, 'the added sound over a quiet original');
    const ownUp = await uploadAndProcess(r, bob, clip880, { sound: { id: soundId, mode: 'mix', volume: 0.1, originalVolume: 1 } });
    assert.ok(meanVolume(ownUp.file, 880) > meanVolume(ownUp.file, 440) + 10, 'the original over a quiet added sound');
    const res = await uploadMultipart(r, bob, clip880, { sound: { id: soundId, mode: 'mix', volume: 0, originalVolume: 0 } });
    assert.equal(res.statusCode, 400, res.body);
  });

  await t.test('mute: a silent track, no sound made', async () => {
    const before = await count(us, 'sounds');
    const m = await uploadAndProcess(r, bob, clip880, { mute: true });
    assert.ok(meanVolume(m.file) < -80, 'silent');
    assert.equal(m.video.has_audio, 0);
    assert.equal(await count(us, 'sounds'), before);
  });

  await t.test('duet: side by side with the original, as long as the new video', async () => {
    const d = await uploadAndProcess(r, bob, clip880, { duetOf: { videoId: a.video.id } });
    const v = ffprobeJson(d.file).streams.find((s: any) => s.codec_type === 'video');
    assert.ok(v.width > v.height, `two 9:16 panes side by side (${v.width}×${v.height})`);
    assert.ok(Math.abs(v.width / v.height - (2 * 9) / 16) < 0.02);
    assert.ok(Math.abs(Number(ffprobeJson(d.file).format.duration) - 2) <= 0.1);
    assert.deepEqual(JSON.parse(d.video.duet_of!), { videoId: a.video.id });
    assert.ok(meanVolume(d.file, 440) > -60 && meanVolume(d.file, 880) > -60, 'both soundtracks mixed');
  });

  await t.test('a creator who disallows duets is respected', async () => {
    const closed = await uploadAndProcess(r, alice, clip440, { allowDuet: false });
    const post = await r.app.inject({
      method: 'POST',
      url: '/api/v1/posts',
      headers: alice.headers,
      payload: { videoId: closed.video.id, audience: 'public' },
    });
    assert.equal(post.statusCode, 201, post.body);
    const res = await uploadMultipart(r, bob, clip880, { duetOf: { videoId: closed.video.id } });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'duet_not_allowed');
  });

  await t.test('a sound from another realm is used through its public media only', async () => {
    const eu = r.reelm.realms.get('eu');
    const erika = await signUp(r, { country: 'DE' });
    assert.equal(erika.realm, 'eu');
    const usSoundsBefore = await us.db.selectFrom('sounds').selectAll().execute();
    const e = await uploadAndProcess(r, erika, clip880, { sound: { id: soundId, realm: 'us', mode: 'replace' } });
    assert.ok(meanVolume(e.file, 440) > meanVolume(e.file, 880) + 10, 'the US sound’s audio, fetched over HTTP');
    assert.equal(e.video.sound_id, null, 'no local row points at another realm’s sound');
    assert.equal(await count(eu, 'sounds'), 0);
    assert.deepEqual(await us.db.selectFrom('sounds').selectAll().execute(), usSoundsBefore, 'the US realm’s rows were not touched by the EU job');
  });
});
