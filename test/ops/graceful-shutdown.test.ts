import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { deploymentConfig, eventually, over, startProcess, type ReelmProcess } from '../helpers/processes.ts';
import { signUp } from '../helpers/users.ts';
import { makeClip } from '../media/corpus.ts';
import { multipart } from '../media/helpers.ts';

// SIGTERM (systemd stop, a rolling deploy) on a running process: an API
// process finishes the request it is receiving before it exits (and the 2xx
// it sends means stored); a worker hands its running job back (queued again,
// the attempt not counted), so the next worker runs it from the start.

for (const lane of lanes()) {
  test(`graceful shutdown: SIGTERM during a request and during a job (${lane})`, { timeout: 180_000 }, async (t) => {
    const r = await startReelm(lane, { config: { media: { ladder: [540, 720] } } });
    const dir = mkdtempSync(join(tmpdir(), 'reelm-stop-'));
    const procs: ReelmProcess[] = [];
    t.after(async () => {
      await Promise.all(procs.map((p) => p.stop('SIGKILL')));
      await r.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const configFile = deploymentConfig(r);
    const api = await startProcess(configFile, 'api');
    procs.push(api);
    const user = await signUp(over(api.url), { country: 'US' });
    const us = r.reelm.realms.get('us');

    // 1. An upload whose body is still arriving when SIGTERM comes.
    const m = multipart(readFileSync(makeClip(join(dir, 'a.mp4'), { w: 720, h: 1280, seconds: 4, fps: 30 })), 'a.mp4');
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${api.url}/api/v1/uploads`, {
        method: 'POST',
        headers: { ...user.headers, ...m.headers, 'content-length': String(m.payload.length) },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write(m.payload.subarray(0, m.payload.length >> 1));
      void sleep(300).then(async () => {
        api.child.kill('SIGTERM');
        await sleep(500);
        req.end(m.payload.subarray(m.payload.length >> 1));
      });
    });
    const res = await answer;
    assert.equal(res.status, 202, res.body);
    assert.equal(await api.exited, 0, api.stderr());
    const uploadId = JSON.parse(res.body).id as string;
    const upload = await us.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow();
    assert.equal(upload.state, 'received', 'the acknowledged upload is stored and queued');
    const job = () => us.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `media:${uploadId}`).executeTakeFirstOrThrow();
    assert.equal((await job()).state, 'queued');

    // 2. A worker stopped in the middle of that job hands it back.
    const first = await startProcess(configFile, 'worker');
    procs.push(first);
    await eventually('the worker runs the job', async () => (await job()).state === 'running', 60_000, 20);
    await sleep(300);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.stderr());
    const handedBack = await job();
    assert.equal(handedBack.state, 'queued', JSON.stringify(handedBack));
    assert.equal(handedBack.lease_owner, null);
    assert.equal(handedBack.attempts, 0, 'an attempt cut short by a stop is not counted');

    const second = await startProcess(configFile, 'worker');
    procs.push(second);
    await eventually('the next worker finishes it', async () => (await job()).state === 'done', 120_000);
    assert.equal((await job()).attempts, 1);
    const video = await us.db.selectFrom('videos').selectAll().where('upload_id', '=', uploadId).executeTakeFirstOrThrow();
    assert.equal(video.status, 'ready');
    assert.deepEqual(
      JSON.parse(video.renditions).map((x: { name: string }) => x.name),
      ['540p', '720p'],
    );
    assert.equal(await second.stop('SIGTERM'), 0);
  });
}
