import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { workDirOf } from '../../src/media/pipeline.ts';
import { makeClip } from './corpus.ts';
import { blobKeys, count, filesUnder, uploadMultipart } from './helpers.ts';

// A separate worker process (`reelm worker --realm us`) is killed with SIGKILL
// in the middle of a transcode (its ffmpeg with it: same process group, as a
// machine crash or systemd's control-group kill would do). A new worker
// process claims the job once the lease runs out; the job completes exactly
// once and the video is ready with no duplicate renditions or files.

function startWorker(configFile: string): ChildProcess {
  return spawn(process.execPath, ['src/main.ts', 'worker', '--realm', 'us'], {
    env: { ...process.env, REELM_CONFIG: configFile },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* already gone */
  }
}

for (const lane of lanes()) {
  test(`a worker killed mid-transcode: the job completes once on restart (${lane})`, async (t) => {
    const r = await startReelm(lane, { config: { media: { jobLeaseSeconds: 2 } } });
    const dir = mkdtempSync(join(tmpdir(), 'reelm-crash-'));
    const children: ChildProcess[] = [];
    t.after(async () => {
      for (const c of children) killGroup(c, 'SIGKILL');
      await r.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const configFile = join(dir, 'reelm.config.json');
    writeFileSync(configFile, JSON.stringify({ ...r.config, logLevel: 'silent' }));
    const user = await signUp(r);
    const us = r.reelm.realms.get('us');
    const res = await uploadMultipart(r, user, makeClip(join(dir, 'clip.mp4'), { w: 720, h: 1280, seconds: 6, fps: 30 }));
    assert.equal(res.statusCode, 202, res.body);
    const uploadId = res.json().id;
    const job = () => us.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `media:${uploadId}`).executeTakeFirstOrThrow();

    const first = startWorker(configFile);
    children.push(first);
    let killedAt = -1;
    for (let i = 0; i < 600; i++) {
      const j = await job();
      const v = await us.db.selectFrom('videos').select('renditions').executeTakeFirst();
      // kill once the lowest rung is published and the rest of the ladder is being encoded
      if (j.state === 'running' && v && v.renditions !== '[]' && j.progress < 90) {
        killGroup(first, 'SIGKILL');
        killedAt = j.progress;
        break;
      }
      assert.notEqual(j.state, 'done', 'the job finished before it could be interrupted');
      await sleep(50);
    }
    assert.ok(killedAt >= 0, 'the worker was killed mid-transcode');
    await new Promise((res) => (first.exitCode !== null || first.signalCode !== null ? res(null) : first.once('exit', res)));
    const interrupted = await job();
    assert.equal(interrupted.state, 'running', 'the dead worker still holds the lease');
    assert.equal(interrupted.attempts, 1);
    const partial = await us.db.selectFrom('videos').selectAll().executeTakeFirstOrThrow();
    assert.equal(partial.status, 'processing');
    assert.equal(JSON.parse(partial.renditions).length, 1, 'killed with the first rung published and the ladder unfinished');
    assert.equal(JSON.parse(partial.renditions)[0].live, true, 'the first rung was playable through its live HLS playlist');

    const second = startWorker(configFile);
    children.push(second);
    for (let i = 0; i < 1200; i++) {
      if ((await job()).state !== 'running' && (await job()).state !== 'queued') break;
      await sleep(50);
    }
    killGroup(second, 'SIGTERM');
    const done = await job();
    assert.equal(done.state, 'done', JSON.stringify(done));
    assert.equal(done.attempts, 2, 'claimed exactly once more');

    const upload = await us.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow();
    assert.equal(upload.state, 'ready');
    const video = await us.db.selectFrom('videos').selectAll().where('id', '=', upload.video_id).executeTakeFirstOrThrow();
    assert.equal(video.status, 'ready');
    assert.deepEqual(
      JSON.parse(video.renditions).map((x: { name: string }) => x.name),
      ['540p', '720p'],
    );
    assert.equal(await count(us, 'videos'), 1);
    assert.equal(await count(us, 'sounds'), 1);
    const sound = await us.db.selectFrom('sounds').selectAll().executeTakeFirstOrThrow();
    assert.equal(sound.usage_count, 1);
    const keys = await blobKeys(us, `users/${user.userId}/`);
    const prefix = `users/${user.userId}/videos/${video.id}/`;
    // exactly the files of one run: 2 MP4s, 2 × (playlist + init + 3 segments), master, poster, 3 thumbs, original
    const videoKeys = keys
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length))
      .sort();
    assert.deepEqual(videoKeys, [
      '540p.mp4',
      '720p.mp4',
      'hls/540p/index.m3u8',
      'hls/540p/init.mp4',
      'hls/540p/seg_000.m4s',
      'hls/540p/seg_001.m4s',
      'hls/540p/seg_002.m4s',
      'hls/720p/index.m3u8',
      'hls/720p/init.mp4',
      'hls/720p/seg_000.m4s',
      'hls/720p/seg_001.m4s',
      'hls/720p/seg_002.m4s',
      'hls/master.m3u8',
      'original',
      'poster.jpg',
      'thumbs/1.jpg',
      'thumbs/2.jpg',
      'thumbs/3.jpg',
    ]);
    assert.deepEqual(
      keys.filter((k) => !k.startsWith(prefix)),
      [sound.audio_key],
    );
    assert.deepEqual(filesUnder(workDirOf(us)), [], 'the killed run’s work folder was cleared');
  });
}
