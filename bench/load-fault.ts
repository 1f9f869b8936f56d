import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startReelm } from '../test/helpers/lanes.ts';
import { ensureNginx, freePort, startNginx, type RunningNginx } from '../test/helpers/nginx.ts';
import { deploymentConfig, eventually, over, startProcess, type ReelmProcess } from '../test/helpers/processes.ts';
import { signUp, type TestUser } from '../test/helpers/users.ts';
import { makeClip } from '../test/media/corpus.ts';
import { uploadMultipart } from '../test/media/helpers.ts';

// Load and faults on a scaled-out realm: PostgreSQL (REELM_TEST_PG_URL, provisioned as the test
// lane does), the shipped nginx balancing over 1, then 2 `reelm api` processes, one `reelm worker`.
// BENCH_VIEWERS simulated viewers (default 500) each loop for BENCH_SECONDS (default 60): a For You
// page (following the cursor), a watch event, a like of the post once, then a 1 s pause. With 2 API
// processes, a third of the way in one API process is killed with SIGKILL and started again, and
// half way an upload is made and the worker is killed with SIGKILL while it holds the transcode job,
// then started again. Afterwards every acknowledged (2xx) watch event and like must be in the realm
// database, the upload must be transcoded once (no duplicate renditions), and the figures are:
// For You pages/s and p50/p99, 5xx answers, and the seconds until each killed process serves again.
// Run: REELM_TEST_PG_URL=postgres://… node bench/load-fault.ts

if (!process.env.REELM_TEST_PG_URL) throw new Error('set REELM_TEST_PG_URL (a PostgreSQL server the bench may create databases on)');
if (!ensureNginx()) throw new Error('nginx is needed: apt-get install nginx');
const viewersWanted = Number(process.env.BENCH_VIEWERS ?? 500);
const seconds = Number(process.env.BENCH_SECONDS ?? 60);

const r = await startReelm('postgres', { config: { media: { ladder: [540] }, flows: { pollMs: 100, peers: {}, batchSize: 100 } } });
const dir = mkdtempSync(join(tmpdir(), 'reelm-load-'));
const configFile = deploymentConfig(r);
const procs: ReelmProcess[] = [];
let nginx: RunningNginx | undefined;
const us = r.reelm.realms.get('us');

const host = () => mkdtempSync(join(dir, 'host-')); // each process its own data folder, as on its own machine
async function api(port?: number) {
  const p = await startProcess(configFile, 'api', { env: { REELM_DATA_DIR: host() }, port, timeoutMs: 120_000 });
  procs.push(p);
  return p;
}
async function worker() {
  const p = await startProcess(configFile, 'worker', { env: { REELM_DATA_DIR: host() }, timeoutMs: 120_000 });
  procs.push(p);
  return p;
}

interface Phase {
  name: string;
  pages: number;
  pageMs: number[];
  status: Map<number, number>;
  ackedWatches: { userId: string; id: string }[];
  ackedLikes: string[];
  faults: string[];
  /** the first few 5xx answers: method, path, status and the start of the body */
  errors: string[];
}

function percentile(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
}

async function runLoad(phase: Phase, edge: string, viewers: TestUser[], videoId: string, during: (elapsedMs: number) => Promise<void>) {
  const stopAt = Date.now() + seconds * 1000;
  const count = (s: number) => phase.status.set(s, (phase.status.get(s) ?? 0) + 1);
  const call = async (url: string, init: RequestInit) => {
    try {
      const res = await fetch(edge + url, init);
      count(res.status);
      if (res.status >= 500 && phase.errors.length < 5) {
        const text = await res.text();
        phase.errors.push(`${init.method ?? 'GET'} ${url.split('?')[0]} ${res.status} ${text.slice(0, 160)}`);
        return new Response(text, { status: res.status });
      }
      return res;
    } catch {
      count(0); // connection refused or reset: no answer
      return undefined;
    }
  };
  const loop = async (v: TestUser) => {
    let cursor: string | undefined;
    let liked = false;
    await sleep(Math.random() * 1000); // viewers arrive over the first second
    while (Date.now() < stopAt) {
      const t0 = performance.now();
      const page = await call(`/api/v1/feed/for-you?limit=10&includeSeen=true${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: v.headers });
      if (page?.ok) {
        phase.pageMs.push(performance.now() - t0);
        phase.pages++;
        cursor = ((await page.json()) as { nextCursor?: string | null }).nextCursor ?? undefined;
      } else await page?.arrayBuffer();
      const id = `w${randomBytes(8).toString('hex')}`;
      const watch = await call('/api/v1/watch-events', {
        method: 'POST',
        headers: { ...v.headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          events: [{ clientEventId: id, videoId, watchedMs: 3000, durationMs: 2000, completed: true, playedAt: new Date().toISOString() }],
        }),
      });
      if (watch?.ok) phase.ackedWatches.push({ userId: v.userId, id });
      await watch?.arrayBuffer();
      if (!liked) {
        const like = await call(`/api/v1/posts/${videoId}/like`, { method: 'PUT', headers: v.headers });
        if (like?.ok) {
          liked = true;
          phase.ackedLikes.push(v.userId);
        }
        await like?.arrayBuffer();
      }
      await sleep(1000);
    }
  };
  const started = Date.now();
  await Promise.all([...viewers.map(loop), during(Date.now() - started)]);
}

const report: string[] = [];
try {
  const a = await api();
  await worker();
  nginx = await startNginx({ upstreamPort: a.port, dataDir: host(), port: await freePort() });
  let edge = `http://127.0.0.1:${nginx.port}`;
  const http = () => over(edge);

  // the world: a creator's transcoded, posted video, and the viewers (signed up in parallel batches)
  const creator = await signUp(http(), { country: 'US' });
  const upload = async () => {
    const up = await uploadMultipart(http(), creator, makeClip(join(dir, `clip-${randomBytes(3).toString('hex')}.mp4`), { seconds: 2 }));
    if (up.statusCode !== 202) throw new Error(`upload: ${up.statusCode} ${up.body}`);
    return up.json().id as string;
  };
  const ready = (uploadId: string) =>
    eventually(
      `upload ${uploadId} transcoded`,
      async () => {
        const s = (await http().app.inject({ method: 'GET', url: `/api/v1/uploads/${uploadId}`, headers: creator.headers })).json();
        if (s.state === 'failed') throw new Error(JSON.stringify(s));
        return s.state === 'ready' ? (s.videoId as string) : undefined;
      },
      300_000,
      250,
    );
  const videoId = await ready(await upload());
  const post = await http().app.inject({ method: 'POST', url: '/api/v1/posts', headers: creator.headers, payload: { videoId, caption: 'load' } });
  if (post.statusCode !== 201) throw new Error(`post: ${post.statusCode} ${post.body}`);
  const viewers: TestUser[] = [];
  for (let i = 0; i < viewersWanted; i += 25)
    viewers.push(...(await Promise.all(Array.from({ length: Math.min(25, viewersWanted - i) }, () => signUp(http(), { country: 'US' })))));

  const phases: Phase[] = [];
  const newPhase = (name: string): Phase => {
    const p = { name, pages: 0, pageMs: [], status: new Map(), ackedWatches: [], ackedLikes: [], faults: [], errors: [] };
    phases.push(p);
    return p;
  };

  // 1 API process
  await runLoad(newPhase('1 API process'), edge, viewers, videoId, async () => {});
  // likes are once per viewer: unlike between phases so the second phase acknowledges its own
  for (const v of viewers) await http().app.inject({ method: 'DELETE', url: `/api/v1/posts/${videoId}/like`, headers: v.headers });

  // 2 API processes, with the faults
  const b = await api();
  await nginx.stop();
  nginx = await startNginx({ upstreamPort: a.port, upstreamPorts: [a.port, b.port], dataDir: host(), port: await freePort() });
  edge = `http://127.0.0.1:${nginx.port}`;
  const faulty = newPhase('2 API processes, kill -9 of one API process and of the worker');
  let faultUpload: string | undefined;
  await runLoad(faulty, edge, viewers, videoId, async () => {
    await sleep((seconds * 1000) / 3);
    const killedAt = Date.now();
    await a.stop('SIGKILL');
    // started again on its port, and again if its start-up fails (systemd's Restart=always)
    for (let attempt = 1; ; attempt++) {
      try {
        await api(a.port);
        break;
      } catch (err) {
        faulty.faults.push(
          `API restart attempt ${attempt} failed: ${(err as Error).message.split('\n').find((l) => /error|deadlock/i.test(l)) ?? (err as Error).message.slice(0, 200)}`,
        );
        if (attempt === 5) throw err;
      }
    }
    faulty.faults.push(`API process killed (SIGKILL) and started again: serving after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
    await sleep((seconds * 1000) / 6);
    // a client retries an upload that got no answer (reported: it is a 5xx-like failure of the edge)
    for (let attempt = 1; !faultUpload; attempt++) {
      try {
        faultUpload = await upload();
      } catch (err) {
        faulty.faults.push(`upload attempt ${attempt} failed: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`);
        if (attempt === 3) throw err;
      }
    }
    const job = () => us.db.selectFrom('jobs').select(['state', 'attempts']).where('dedupe_key', '=', `media:${faultUpload}`).executeTakeFirst();
    await eventually('the worker holds the transcode job', async () => (await job())?.state === 'running', 120_000, 50);
    const workerKilledAt = Date.now();
    await procs.find((p) => p.role === 'worker' && p.child.exitCode === null)!.stop('SIGKILL');
    await worker();
    await ready(faultUpload);
    faulty.faults.push(
      `worker killed (SIGKILL) holding a transcode job, started again: the job finished ${((Date.now() - workerKilledAt) / 1000).toFixed(1)} s after the kill (attempts ${(await job())?.attempts})`,
    );
  });

  // what was acknowledged is stored
  for (const p of phases) {
    let lostWatches = 0;
    for (let i = 0; i < p.ackedWatches.length; i += 500) {
      const batch = p.ackedWatches.slice(i, i + 500);
      const found = await us.db
        .selectFrom('watch_events')
        .select(['user_id', 'client_event_id'])
        .where(
          'client_event_id',
          'in',
          batch.map((w) => w.id),
        )
        .execute();
      const have = new Set(found.map((f) => `${f.user_id}/${f.client_event_id}`));
      lostWatches += batch.filter((w) => !have.has(`${w.userId}/${w.id}`)).length;
    }
    p.faults.push(`acknowledged watch events: ${p.ackedWatches.length}, missing afterwards: ${lostWatches}`);
  }
  const likes = await us.db.selectFrom('likes').select('user_id').where('video_id', '=', videoId).execute();
  const liked = new Set(likes.map((l) => l.user_id));
  const lastPhase = phases.at(-1)!;
  lastPhase.faults.push(
    `acknowledged likes (this phase): ${lastPhase.ackedLikes.length}, missing afterwards: ${lastPhase.ackedLikes.filter((u) => !liked.has(u)).length}`,
  );
  if (faultUpload) {
    const v = await us.db.selectFrom('uploads').select('video_id').where('id', '=', faultUpload).executeTakeFirst();
    const video = v?.video_id ? await us.db.selectFrom('videos').select('renditions').where('id', '=', v.video_id).executeTakeFirst() : undefined;
    const names = (JSON.parse(video?.renditions ?? '[]') as { name: string }[]).map((x) => x.name);
    lastPhase.faults.push(
      `renditions of the upload made during the worker kill: ${names.join(', ') || 'none'}${new Set(names).size === names.length ? ' (no duplicate)' : ' (DUPLICATES)'}`,
    );
  }

  report.push(
    `Load and faults: ${viewers.length} viewers × ${seconds} s per phase, PostgreSQL, shipped nginx, 1 worker (2-core machine, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)} at the end)`,
  );
  for (const p of phases) {
    const fivexx = [...p.status].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    const none = p.status.get(0) ?? 0;
    report.push(
      `${p.name}: For You ${(p.pages / seconds).toFixed(1)} pages/s, p50 ${percentile(p.pageMs, 50).toFixed(0)} ms, p99 ${percentile(p.pageMs, 99).toFixed(0)} ms; answers ${[
        ...p.status,
      ]
        .sort(([x], [y]) => x - y)
        .map(([s, c]) => `${s || 'none'}:${c}`)
        .join(' ')}; 5xx ${fivexx}${none ? `, no answer ${none}` : ''}`,
    );
    for (const f of p.faults) report.push(`  ${f}`);
    for (const e of p.errors) report.push(`  5xx: ${e}`);
  }
} finally {
  await nginx?.stop();
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  await r.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(report.join('\n'));
