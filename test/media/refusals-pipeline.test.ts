import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { tusDirOf } from '../../src/media/tus.ts';
import { uploadPartsPrefix } from '../../src/media/keys.ts';
import { workDirOf } from '../../src/media/pipeline.ts';
import { badFiles, makeClip } from './corpus.ts';
import { blobKeys, count, filesUnder, mediaWorker, multipart, uploadMultipart } from './helpers.ts';

// The hostile corpus through the real path (multipart upload → durable job →
// validation): each file ends as a failed upload with its own code and a
// sentence, the worker survives all of them, and nothing else is left: no
// video or sound rows, no blobs, no temp files.

for (const lane of lanes()) {
  test(`hostile uploads are refused with their own code and leave nothing behind (${lane})`, async (t) => {
    const r = await startReelm(lane, { config: { media: { uploadsPerHour: 1000 } } });
    const dir = mkdtempSync(join(tmpdir(), 'reelm-refuse-'));
    t.after(async () => {
      await r.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const user = await signUp(r);
    const us = r.reelm.realms.get(user.realm);
    const expected = new Map<string, string>();
    for (const bad of badFiles) {
      const res = await uploadMultipart(r, user, bad.make(dir));
      // Refusals the header probe knows are answered at once (422 + code); the rest by the job.
      if (res.statusCode === 422) {
        assert.equal(res.json().error.code, bad.expect, `${bad.name}: ${res.body}`);
        expected.set(res.json().error.details.uploadId, bad.name);
        continue;
      }
      assert.equal(res.statusCode, 202, `${bad.name}: ${res.body}`);
      expected.set(res.json().id, bad.name);
    }
    const worker = mediaWorker(r.reelm, us);
    await worker.drain();

    for (const [id, name] of expected) {
      const bad = badFiles.find((b) => b.name === name)!;
      const s = (await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${id}`, headers: user.headers })).json();
      assert.equal(s.state, 'failed', `${name}: ${JSON.stringify(s)}`);
      assert.equal(s.error.code, bad.expect, `${name}: ${s.error.message}`);
      assert.ok(s.error.message.length > 10);
      assert.equal(s.videoId, null);
    }
    assert.equal(await count(us, 'videos'), 0);
    assert.equal(await count(us, 'sounds'), 0);
    const byJob = (await count(us, 'jobs')) as number;
    assert.equal(await count(us, 'jobs', ['state', 'failed']), byJob, 'each refused at the first attempt: refusals are not retried');
    assert.ok(byJob < badFiles.length, 'most are refused in the upload response, without a job');
    assert.deepEqual(await blobKeys(us, `users/${user.userId}/`), []);
    assert.deepEqual(filesUnder(workDirOf(us)), []);
    assert.deepEqual(filesUnder(tusDirOf(us)), []);

    // the same worker still processes a good file afterwards
    const good = await uploadMultipart(r, user, makeClip(join(dir, 'good.mp4'), { w: 180, h: 320, seconds: 1 }), { mute: true });
    assert.equal(good.statusCode, 202);
    await worker.drain();
    const s = (await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${good.json().id}`, headers: user.headers })).json();
    assert.equal(s.state, 'ready', JSON.stringify(s));
  });
}

test('upload limits: size, rate and options are checked before any byte is kept', async (t) => {
  const r = await startReelm('sqlite', { config: { media: { uploadsPerHour: 2, maxBytes: 200_000 } } });
  const dir = mkdtempSync(join(tmpdir(), 'reelm-limits-'));
  t.after(async () => {
    await r.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const user = await signUp(r);
  const us = r.reelm.realms.get(user.realm);
  const clip = makeClip(join(dir, 'c.mp4'), { w: 180, h: 320, seconds: 1 });

  const tooBig = await r.app.inject({
    method: 'POST',
    url: '/api/v1/uploads/tus',
    headers: { ...user.headers, 'tus-resumable': '1.0.0', 'upload-length': '300000' },
  });
  assert.equal(tooBig.statusCode, 413);

  const badOptions = await uploadMultipart(r, user, clip, { trim: { start: 5, end: 1 } });
  assert.equal(badOptions.statusCode, 400);
  assert.equal(badOptions.json().error.code, 'invalid_options');
  const noSound = await uploadMultipart(r, user, clip, { sound: { id: 'nope' } });
  assert.equal(noSound.json().error.code, 'sound_not_found');

  assert.equal((await uploadMultipart(r, user, clip)).statusCode, 202);
  assert.equal((await uploadMultipart(r, user, clip)).statusCode, 202);
  const third = await uploadMultipart(r, user, clip);
  assert.equal(third.statusCode, 429);
  assert.equal(third.json().error.code, 'upload_rate_limited');
  assert.ok(third.headers['retry-after']);
  assert.equal(await count(us, 'uploads'), 2);

  const anonymous = await r.app.inject({ method: 'POST', url: '/api/v1/uploads', ...multipart(readFileSync(clip), 'c.mp4') });
  assert.equal(anonymous.statusCode, 401);
});

test('abandoned resumable uploads expire and their bytes are removed', async (t) => {
  const r = await startReelm('sqlite', { config: { media: { uploadExpirySeconds: 1 } } });
  t.after(() => r.close());
  const user = await signUp(r);
  const us = r.reelm.realms.get(user.realm);
  const h = { ...user.headers, 'tus-resumable': '1.0.0' };
  const created = await r.app.inject({ method: 'POST', url: '/api/v1/uploads/tus', headers: { ...h, 'upload-length': '1000' } });
  assert.equal(created.statusCode, 201);
  const loc = created.headers.location as string;
  const p = await r.app.inject({
    method: 'PATCH',
    url: loc,
    headers: { ...h, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    payload: Buffer.alloc(400, 7),
  });
  assert.equal(p.statusCode, 204);
  const parts = uploadPartsPrefix(user.userId, loc.split('/').pop()!);
  assert.equal((await blobKeys(us, parts)).length, 1, 'the received bytes are in the realm blob store, under the uploader');
  await new Promise((res) => setTimeout(res, 1200));
  const { TusUploads } = await import('../../src/media/tus.ts');
  const { UploadService } = await import('../../src/media/uploads.ts');
  const uploads = new UploadService(r.reelm);
  await new TusUploads(r.reelm, uploads).cleanUp();
  assert.equal(await uploads.expire(us), 1);
  assert.deepEqual(await blobKeys(us, parts), []);
  assert.deepEqual(filesUnder(tusDirOf(us)), []);
  assert.equal(await count(us, 'uploads'), 0);
  const resume = await r.app.inject({ method: 'HEAD', url: loc, headers: h });
  assert.ok([404, 410].includes(resume.statusCode), `expired upload answers ${resume.statusCode}`);
});

test('a file damaged past the part validation decodes is refused as corrupt by the transcode, and what was published goes', async (t) => {
  const r = await startReelm('sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'reelm-midcorrupt-'));
  t.after(async () => {
    await r.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const user = await signUp(r);
  const us = r.reelm.realms.get(user.realm);
  // validation decodes only the first half second; the transcode decodes every frame with -xerror
  const buf = Buffer.from(readFileSync(makeClip(join(dir, 'clip.mp4'), { w: 180, h: 320, seconds: 8, fps: 15, extra: ['-movflags', '+faststart'] })));
  const mdat = buf.indexOf('mdat');
  const start = mdat + Math.floor((buf.length - mdat) * 0.7);
  for (let i = start; i < Math.min(buf.length, start + 20_000); i++) buf[i] = (i * 131 + 7) & 0xff;
  const file = join(dir, 'damaged-late.mp4');
  writeFileSync(file, buf);
  const res = await uploadMultipart(r, user, file);
  assert.equal(res.statusCode, 202, res.body);
  await mediaWorker(r.reelm, us).drain();
  const s = (await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${res.json().id}`, headers: user.headers })).json();
  assert.equal(s.state, 'failed', JSON.stringify(s));
  assert.equal(s.error.code, 'corrupt');
  assert.equal(await count(us, 'jobs'), 1, 'refused at the first attempt, not retried');
  assert.equal(await count(us, 'videos'), 0);
  assert.equal(await count(us, 'sounds'), 0);
  assert.deepEqual(await blobKeys(us, `users/${user.userId}/`), []);
  assert.deepEqual(filesUnder(workDirOf(us)), []);
});
