import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BlobStore } from '../../src/blobs/blob-store.ts';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { tusDirOf } from '../../src/media/tus.ts';
import { workDirOf } from '../../src/media/pipeline.ts';
import { makeClip } from './corpus.ts';
import { blobKeys, count, decodes, ffprobeJson, filesUnder, integratedLoudness, mediaWorker } from './helpers.ts';
import { videoPrefix } from '../../src/media/keys.ts';

// A vertical 720×1280 clip uploaded with tus in chunks over real HTTP; one
// PATCH is cut off mid-body (connection dropped), the client asks HEAD where to
// resume, finishes, and the video becomes playable with the expected ladder.

function patch(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  cutAfter?: number,
): Promise<{ status: number; headers: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'PATCH', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', (err) => (cutAfter !== undefined ? resolve({ status: 0, headers: {} }) : reject(err)));
    if (cutAfter !== undefined) {
      req.write(body.subarray(0, cutAfter), () => setTimeout(() => req.destroy(), 150));
    } else req.end(body);
  });
}

/** Files of a blob prefix as local paths: the store's own on the local driver, downloaded copies on S3. */
async function localCopies(blobs: BlobStore, prefix: string, dir: string): Promise<(key: string) => string> {
  if (blobs.localPath) return (key) => blobs.localPath!(key);
  for await (const b of blobs.list(prefix)) {
    const path = join(dir, b.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await blobs.getBuffer(b.key));
  }
  return (key) => join(dir, key);
}

for (const lane of lanes()) {
  test(`tus upload, interrupted and resumed, becomes playable (${lane})`, async (t) => {
    const r = await startReelm(lane, { config: { http: { host: '127.0.0.1', port: 0 } } });
    const dir = mkdtempSync(join(tmpdir(), 'reelm-happy-'));
    t.after(async () => {
      await r.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const user = await signUp(r);
    const us = r.reelm.realms.get(user.realm);
    await r.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (r.app.server.address() as { port: number }).port;

    const clip = readFileSync(makeClip(join(dir, 'clip.mp4'), { w: 720, h: 1280, seconds: 3, fps: 30 }));
    const tusHeaders = { ...user.headers, 'tus-resumable': '1.0.0' };
    const options = Buffer.from(JSON.stringify({ soundTitle: 'My test tone' })).toString('base64');

    const created = await r.app.inject({
      method: 'POST',
      url: '/api/v1/uploads/tus',
      headers: {
        ...tusHeaders,
        'upload-length': String(clip.length),
        'upload-metadata': `options ${options},filename ${Buffer.from('clip.mp4').toString('base64')}`,
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const location = created.headers.location as string;
    const uploadId = location.split('/').pop()!;

    // someone else cannot touch this upload
    const stranger = await signUp(r);
    const peek = await r.app.inject({ method: 'HEAD', url: location, headers: { ...stranger.headers, 'tus-resumable': '1.0.0' } });
    assert.equal(peek.statusCode, 404);
    const unauth = await r.app.inject({ method: 'HEAD', url: location, headers: { 'tus-resumable': '1.0.0' } });
    assert.equal(unauth.statusCode, 401);

    const chunk = Math.ceil(clip.length / 3);
    const h = { ...tusHeaders, 'content-type': 'application/offset+octet-stream' };
    const first = await patch(port, location, { ...h, 'upload-offset': '0' }, clip.subarray(0, chunk));
    assert.equal(first.status, 204);
    assert.equal(Number(first.headers['upload-offset']), chunk);

    // the second chunk's connection drops part-way
    await patch(port, location, { ...h, 'upload-offset': String(chunk) }, clip.subarray(chunk, 2 * chunk), Math.floor(chunk / 2));
    await new Promise((res) => setTimeout(res, 200));
    const head = await r.app.inject({ method: 'HEAD', url: location, headers: tusHeaders });
    assert.equal(head.statusCode, 200);
    const offset = Number(head.headers['upload-offset']);
    assert.ok(offset >= chunk && offset < 2 * chunk, `resumes from the last byte received (${offset})`);
    const mid = await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${uploadId}`, headers: user.headers });
    assert.equal(mid.json().state, 'receiving');

    const rest = await patch(port, location, { ...h, 'upload-offset': String(offset) }, clip.subarray(offset));
    assert.equal(rest.status, 204);
    assert.equal(Number(rest.headers['upload-offset']), clip.length);

    const received = (await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${uploadId}`, headers: user.headers })).json();
    assert.equal(received.state, 'received');
    assert.equal(received.sizeBytes, clip.length);
    assert.deepEqual(filesUnder(tusDirOf(us)), [], 'tus bytes moved into the realm blob store');

    assert.equal(await mediaWorker(r.reelm, us).drain(), 1);
    const status = (await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${uploadId}`, headers: user.headers })).json();
    assert.equal(status.state, 'ready', JSON.stringify(status));
    assert.equal(status.progress, 100);

    const video = (await r.app.inject({ method: 'GET', url: `/api/v1/videos/${status.videoId}`, headers: user.headers })).json();
    assert.equal(video.status, 'ready');
    assert.deepEqual(
      video.renditions.map((x: any) => [x.name, x.width, x.height]),
      [
        ['540p', 540, 960],
        ['720p', 720, 1280],
      ],
    );
    assert.ok(Math.abs(video.durationMs - 3000) <= 100);
    const row = await us.db.selectFrom('videos').selectAll().where('id', '=', status.videoId).executeTakeFirstOrThrow();
    const pathOf = await localCopies(us.blobs, videoPrefix(user.userId, row.id), join(dir, 'copies'));
    for (const rend of JSON.parse(row.renditions)) {
      const file = pathOf(rend.key);
      decodes(file);
      const info = ffprobeJson(file);
      const v = info.streams.find((s: any) => s.codec_type === 'video');
      const a = info.streams.find((s: any) => s.codec_type === 'audio');
      assert.equal(v.codec_name, 'h264');
      assert.equal(v.profile, 'High');
      assert.deepEqual([v.width, v.height], [rend.width, rend.height]);
      assert.ok(a && a.codec_name === 'aac', 'audio present');
      assert.ok(Math.abs(Number(info.format.duration) - 3) <= 0.1, `duration ${info.format.duration}`);
      // faststart: the index comes before the media data
      const bytes = readFileSync(file);
      assert.ok(bytes.indexOf('moov') < bytes.indexOf('mdat'), 'faststart MP4');
      decodes(pathOf(rend.hlsKey));
      assert.match(readFileSync(pathOf(rend.hlsKey), 'utf8'), /#EXT-X-PLAYLIST-TYPE:VOD[\s\S]*#EXT-X-ENDLIST/, 'published as VOD');
      assert.ok(!rend.live, 'no rung left live');
      // EBU R128: integrated loudness at the −14 LUFS target
      const lufs = integratedLoudness(file);
      assert.ok(Math.abs(lufs + 14) <= 1, `integrated loudness ${lufs} LUFS`);
    }
    const master = readFileSync(pathOf(row.hls_master_key!), 'utf8');
    assert.match(master, /RESOLUTION=540x960/);
    assert.match(master, /RESOLUTION=720x1280/);
    assert.ok(master.indexOf('540p') < master.indexOf('720p'));
    assert.ok(row.poster_key && (await us.blobs.stat(row.poster_key)));
    assert.equal(JSON.parse(row.thumbnail_keys).length, 3);

    // the soundtrack became a sound; the original is kept; the upload's source copy and work files are gone
    // (the creator sees their sound at once; others once the video is posted publicly)
    assert.equal((await r.app.inject({ method: 'GET', url: `/api/v1/sounds/${row.sound_id}` })).statusCode, 404);
    const sound = (await r.app.inject({ method: 'GET', url: `/api/v1/sounds/${row.sound_id}`, headers: user.headers })).json();
    assert.equal(sound.title, 'My test tone');
    assert.equal(sound.creator.id, user.userId);
    assert.equal(sound.usageCount, 1);
    assert.ok(row.original_key && (await us.blobs.stat(row.original_key))?.size === clip.length);
    const keys = await blobKeys(us, `users/${user.userId}/`);
    assert.ok(
      keys.every((k) => !k.includes('/uploads/')),
      'upload source removed',
    );
    assert.equal(new Set(keys).size, keys.length);
    assert.deepEqual(filesUnder(workDirOf(us)), []);
    assert.equal(await count(us, 'jobs', ['state', 'done']), 1);

    // others see it once ready and publicly posted, with public URLs; nobody else's realm holds anything of it
    const posted = await r.app.inject({
      method: 'POST',
      url: '/api/v1/posts',
      headers: user.headers,
      payload: { videoId: status.videoId, caption: 'tone', audience: 'public' },
    });
    assert.equal(posted.statusCode, 201, posted.body);
    const publicView = await r.app.inject({ method: 'GET', url: `/api/v1/videos/${status.videoId}` });
    assert.equal(publicView.statusCode, 200);
    assert.ok(!('error' in publicView.json()));
    // the public path (no grant) serves the posted video's poster, never its original file (S2)
    assert.equal((await r.app.inject({ method: 'GET', url: `/media/${user.realm}/${row.poster_key}` })).statusCode, 200);
    const original = await r.app.inject({ method: 'GET', url: `/media/${user.realm}/${row.original_key}` });
    const missing = await r.app.inject({ method: 'GET', url: `/media/${user.realm}/${videoPrefix(user.userId, row.id)}no-such-file` });
    assert.equal(original.statusCode, 404);
    assert.equal(original.body, missing.body);
    for (const other of r.reelm.realms.all().filter((s) => s.name !== us.name)) {
      assert.equal(await count(other, 'videos'), 0);
      assert.deepEqual(await blobKeys(other, `users/${user.userId}/`), []);
    }
  });
}
