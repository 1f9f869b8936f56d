import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { deploymentConfig, eventually, over, startProcess, type ReelmProcess } from '../helpers/processes.ts';
import { signUp } from '../helpers/users.ts';
import { makeClip } from '../media/corpus.ts';
import { uploadMultipart } from '../media/helpers.ts';

// The split topology (docs/ARCHITECTURE.md, process roles): an API process
// (`reelm api`: no background work) and a separate worker process (`reelm
// worker`: jobs, flow delivery, count publishing, upload housekeeping) share
// the realms' stores and nothing else. On the SQLite lane both processes open
// the same SQLite files (WAL, busy timeout) and folders; on the PostgreSQL lane
// they share one database per realm and, with REELM_TEST_BLOBS=s3, one bucket.
//
// First the API process runs alone: it accepts the upload and the abandoned
// resumable upload, and nothing happens to them (the job stays queued, the
// expired upload stays). Then the worker starts and does all of it.

for (const lane of lanes()) {
  test(`split topology: reelm api + reelm worker as separate processes (${lane})`, { timeout: 180_000 }, async (t) => {
    const r = await startReelm(lane, {
      config: { media: { uploadExpirySeconds: 1, housekeepingSeconds: 0.2, ladder: [540] }, flows: { pollMs: 50, peers: {}, batchSize: 100 } },
    });
    const dir = mkdtempSync(join(tmpdir(), 'reelm-split-'));
    const procs: ReelmProcess[] = [];
    t.after(async () => {
      await Promise.all(procs.map((p) => p.stop('SIGKILL')));
      await r.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const configFile = deploymentConfig(r);
    const api = await startProcess(configFile, 'api');
    procs.push(api);
    assert.match(api.stderr(), /role: api \(no background work/);
    const http = over(api.url);

    const creator = await signUp(http, { country: 'DE' });
    const fan = await signUp(http, { country: 'US' });
    assert.equal(creator.realm, 'eu');
    assert.equal(fan.realm, 'us');
    const eu = r.reelm.realms.get('eu');

    // an upload that will be transcoded, and a resumable upload abandoned after its first bytes
    const up = await uploadMultipart(http, creator, makeClip(join(dir, 'clip.mp4')));
    assert.equal(up.statusCode, 202, up.body);
    const uploadId = up.json().id;
    const tus = { ...creator.headers, 'tus-resumable': '1.0.0' };
    const created = await http.app.inject({ method: 'POST', url: '/api/v1/uploads/tus', headers: { ...tus, 'upload-length': '1000' } });
    assert.equal(created.statusCode, 201, created.body);
    const abandoned = created.headers.location!;
    const abandonedId = abandoned.split('/').pop()!;
    const patched = await http.app.inject({
      method: 'PATCH',
      url: abandoned,
      headers: { ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      payload: Buffer.alloc(400, 7),
    });
    assert.equal(patched.statusCode, 204, patched.body);

    // The API process alone does no background work: past the expiry and many housekeeping and poll intervals…
    await sleep(1500);
    const job = () => eu.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `media:${uploadId}`).executeTakeFirstOrThrow();
    assert.equal((await job()).state, 'queued', 'the API process claims no job');
    const stillThere = await http.app.inject({ method: 'GET', url: `/api/v1/uploads/${abandonedId}`, headers: creator.headers });
    assert.equal(stillThere.statusCode, 200, 'the API process expires no upload');
    assert.equal(stillThere.json().state, 'receiving');

    // …then the worker process starts and runs it all.
    const worker = await startProcess(configFile, 'worker');
    procs.push(worker);
    assert.match(worker.stderr(), /jobs/);
    assert.match(worker.stderr(), /upload-housekeeping/);

    // the transcode, done by the worker process (its lease carried the worker's pid)
    const ready = await eventually('the upload is transcoded', async () => {
      const s = await http.app.inject({ method: 'GET', url: `/api/v1/uploads/${uploadId}`, headers: creator.headers });
      return s.json().state === 'ready' ? s.json() : undefined;
    });
    // (the upload shows ready a moment before the worker records the job done)
    const done = await eventually('the job is recorded done', async () => ((await job()).state === 'done' ? job() : undefined));
    assert.equal(done.attempts, 1);
    const video = (await http.app.inject({ method: 'GET', url: `/api/v1/videos/${ready.videoId}`, headers: creator.headers })).json();
    assert.equal(video.status, 'ready');
    assert.deepEqual(
      video.renditions.map((x: { name: string }) => x.name),
      ['180p'], // the small source gets one rung at its own size,
    );

    // the abandoned upload expired by the worker's housekeeping: gone, bytes included
    await eventually('the abandoned upload expires', async () => {
      const s = await http.app.inject({ method: 'GET', url: `/api/v1/uploads/${abandonedId}`, headers: creator.headers });
      return s.statusCode === 404;
    });
    assert.equal(await eu.db.selectFrom('uploads').select('id').where('id', '=', abandonedId).executeTakeFirst(), undefined);

    // a flow delivered: the eu creator's public post reaches the us fan's realm
    const post = await http.app.inject({ method: 'POST', url: '/api/v1/posts', headers: creator.headers, payload: { videoId: ready.videoId } });
    assert.equal(post.statusCode, 201, post.body);
    const videoId = post.json().id ?? ready.videoId;
    const us = r.reelm.realms.get('us');
    await eventually('the post projection reaches us', () =>
      us.db.selectFrom('post_index').select('video_id').where('video_id', '=', videoId).executeTakeFirst(),
    );

    // a cross-realm like: stored in us, delivered to eu, counted on the creator's post
    const like = await http.app.inject({ method: 'PUT', url: `/api/v1/posts/${videoId}/like`, headers: fan.headers });
    assert.equal(like.statusCode, 200, like.body);
    assert.ok(await us.db.selectFrom('likes').select('user_id').where('user_id', '=', fan.userId).executeTakeFirst(), 'the like is stored in us');
    await eventually('the like reaches the creator’s counts', async () => {
      const p = await http.app.inject({ method: 'GET', url: `/api/v1/posts/${videoId}`, headers: creator.headers });
      return p.json().counts?.likes === 1;
    });
    // and the published count comes back to the fan's realm
    await eventually('the count is published to us', async () => {
      const row = await us.db.selectFrom('post_index').select('like_count').where('video_id', '=', videoId).executeTakeFirst();
      return row?.like_count === 1;
    });

    // Both stop cleanly on SIGTERM (the worker hands its jobs back, the API finishes its requests).
    assert.equal(await worker.stop('SIGTERM'), 0, worker.stderr());
    assert.equal(await api.stop('SIGTERM'), 0, api.stderr());
  });
}
