import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReelm } from '../helpers/lanes.ts';
import { missingLane } from '../helpers/missing-lane.ts';
import { freePort, startNginx } from '../helpers/nginx.ts';
import { deploymentConfig, eventually, over, startProcess, type ReelmProcess } from '../helpers/processes.ts';
import { signUp } from '../helpers/users.ts';
import { makeClip } from '../media/corpus.ts';
import { uploadMultipart } from '../media/helpers.ts';
import { reelmCli } from '../residency/cli-env.ts';

// A scaled-out realm: two API processes and one worker process over the realms'
// PostgreSQL databases and S3 buckets, behind the shipped nginx balancing over
// both API processes. Each process has its own data folder (as on its own
// machine), so anything one process kept on local disk or in memory would be
// missing for the other: sessions, upload offsets and bytes, the feed model
// and the media all have to be in the shared stores.

const skip = missingLane(!(process.env.REELM_TEST_PG_URL && process.env.REELM_TEST_BLOBS === 's3'), 'needs REELM_TEST_PG_URL and REELM_TEST_BLOBS=s3');

test('two API processes + one worker on PostgreSQL and S3 behind nginx', { skip, timeout: 240_000 }, async (t) => {
  const r = await startReelm('postgres', {
    config: { media: { ladder: [540], uploadExpirySeconds: 3600 }, flows: { pollMs: 50, peers: {}, batchSize: 100 } },
  });
  const dirs: string[] = [];
  const procs: ReelmProcess[] = [];
  const edges: Awaited<ReturnType<typeof startNginx>>[] = [];
  t.after(async () => {
    for (const e of edges) await e.stop();
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await r.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const own = () => {
    const d = mkdtempSync(join(tmpdir(), 'reelm-host-'));
    dirs.push(d);
    return d;
  };
  const configFile = deploymentConfig(r);
  const [a, b, worker] = await Promise.all([
    startProcess(configFile, 'api', { env: { REELM_DATA_DIR: own() } }),
    startProcess(configFile, 'api', { env: { REELM_DATA_DIR: own() } }),
    startProcess(configFile, 'worker', { env: { REELM_DATA_DIR: own() } }),
  ]);
  procs.push(a, b, worker);
  const nginx = await startNginx({ upstreamPort: a.port, upstreamPorts: [a.port, b.port], dataDir: own(), port: await freePort() });
  edges.push(nginx);
  const edge = over(`http://127.0.0.1:${nginx.port}`);
  const A = over(a.url);
  const B = over(b.url);

  // Sign-up on A; the session works on B (sessions are rows in the realm database).
  const creator = await signUp(A, { country: 'US' });
  const creator2 = await signUp(B, { country: 'US' });
  const viewer = await signUp(A, { country: 'DE' });
  const me = await B.app.inject({ method: 'GET', url: '/api/v1/me', headers: viewer.headers });
  assert.equal(me.statusCode, 200, me.body);
  assert.equal(me.json().user?.id ?? me.json().id, viewer.userId);

  // A resumable upload started on A and resumed on B.
  const dir = own();
  const clip = readFileSync(makeClip(join(dir, 'clip.mp4'), { seconds: 2 }));
  const tus = { ...creator.headers, 'tus-resumable': '1.0.0' };
  const created = await A.app.inject({ method: 'POST', url: '/api/v1/uploads/tus', headers: { ...tus, 'upload-length': String(clip.length) } });
  assert.equal(created.statusCode, 201, created.body);
  const location = created.headers.location!;
  const half = Math.floor(clip.length / 2);
  const body = { ...tus, 'content-type': 'application/offset+octet-stream' };
  const first = await A.app.inject({ method: 'PATCH', url: location, headers: { ...body, 'upload-offset': '0' }, payload: clip.subarray(0, half) });
  assert.equal(first.statusCode, 204, first.body);
  const head = await B.app.inject({ method: 'HEAD', url: location, headers: tus });
  assert.equal(head.statusCode, 200, 'B knows the upload A started');
  assert.equal(Number(head.headers['upload-offset']), half, 'and how far it got');
  const rest = await B.app.inject({ method: 'PATCH', url: location, headers: { ...body, 'upload-offset': String(half) }, payload: clip.subarray(half) });
  assert.equal(rest.statusCode, 204, rest.body);
  const tusId = location.split('/').pop()!;

  // A one-shot upload through the edge, by another creator (For You never shows one creator twice
  // in a row); the worker transcodes both.
  const up = await uploadMultipart(edge, creator2, makeClip(join(dir, 'clip2.mp4'), { seconds: 2, freq: 660 }));
  assert.equal(up.statusCode, 202, up.body);
  const ready = async (id: string, owner: typeof creator) =>
    eventually(`upload ${id} transcoded`, async () => {
      const s = (await edge.app.inject({ method: 'GET', url: `/api/v1/uploads/${id}`, headers: owner.headers })).json();
      assert.notEqual(s.state, 'failed', JSON.stringify(s));
      return s.state === 'ready' ? (s.videoId as string) : undefined;
    });
  const videos = [await ready(tusId, creator), await ready(up.json().id, creator2)];

  // Posts through the edge reach the viewer's realm; For You serves them there, on either API process
  // (from the shared model snapshot and stores).
  for (const [i, videoId] of videos.entries()) {
    const p = await edge.app.inject({
      method: 'POST',
      url: '/api/v1/posts',
      headers: [creator, creator2][i]!.headers,
      payload: { videoId, caption: 'two processes' },
    });
    assert.equal(p.statusCode, 201, p.body);
  }
  for (const api of [A, B, edge]) {
    await eventually('For You serves both posts', async () => {
      const f = await api.app.inject({ method: 'GET', url: '/api/v1/feed/for-you?limit=50&includeSeen=true', headers: viewer.headers });
      assert.equal(f.statusCode, 200, f.body);
      const ids = new Set(f.json().items.map((i: { id?: string; videoId?: string }) => i.videoId ?? i.id));
      return videos.every((v) => ids.has(v));
    });
  }

  // A like through the edge reaches the creator's counts, whichever process answers.
  const like = await edge.app.inject({ method: 'PUT', url: `/api/v1/posts/${videos[0]}/like`, headers: viewer.headers });
  assert.equal(like.statusCode, 200, like.body);
  for (const api of [A, B])
    await eventually('the like is counted', async () => {
      const p = await api.app.inject({ method: 'GET', url: `/api/v1/posts/${videos[0]}`, headers: creator.headers });
      return p.json().counts?.likes === 1;
    });

  // The residency audit over every realm's stores finds nothing.
  const audit = reelmCli(r, ['audit']);
  assert.equal(audit.status, 0, audit.stdout + audit.stderr);
});
