import { randomBytes } from 'node:crypto';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalBlobStore } from '../src/blobs/local-store.ts';
import { edgeSecret, MediaGrants } from '../src/media-serving/grants.ts';
import { MEDIA_COOKIE, mediaCookieValue } from '../src/api/media-cookie.ts';
import { ensureNginx, freePort, startNginx, type RunningNginx } from '../test/helpers/nginx.ts';
import { row, startProcess, stop, wrk, type WrkResult } from './lib.ts';

// Media bytes: a 1 MiB range read (Range: bytes=0-1048575 with a signed grant)
// through Reelm's media path, against nginx sendfile on the same file, in one run:
//   baseline  nginx static location, sendfile
//   direct    Reelm alone, Node reads and sends the bytes (embedded default)
//   x-accel   nginx with the shipped deploy/nginx/reelm.conf in front of Reelm:
//             nginx checks the grant (secure_link) and sends the file
//   viewer    the same for a viewer-bound grant, the link production playback hands
//             out: nginx checks it with the viewer's media cookie, no call to Node
//   cached    a grant without its nginx signature: Node decides once (auth_request),
//             nginx reuses the decision
// Goals: direct ≥ 0.4× baseline, x-accel and viewer ≥ 0.9× baseline.
// Run: node bench/media-bytes.ts   (BENCH_SECONDS=5, BENCH_CONNECTIONS=8)

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const MiB = 1024 * 1024;

if (!ensureNginx()) throw new Error('nginx is needed: apt-get install nginx');
if (spawnSync('sh', ['-c', 'command -v wrk']).status !== 0) {
  if (process.getuid?.() === 0)
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'wrk'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  if (spawnSync('sh', ['-c', 'command -v wrk']).status !== 0) throw new Error('wrk is needed: apt-get install wrk');
}

const dataDir = mkdtempSync(join(tmpdir(), 'reelm-bench-media-'));
const secret = randomBytes(32).toString('hex');
const key = 'users/01hbenchbenchbenchbenchbe/videos/v1/720.mp4';
const blobsDir = join(dataDir, 'realms', 'us', 'blobs');
await new LocalBlobStore(blobsDir).put(key, randomBytes(MiB));
const grant = new MediaGrants(secret).sign({ realm: 'us', key, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
const path = `/media/us/${key}?${grant}`;
const headers = { range: `bytes=0-${MiB - 1}` };
// a viewer-bound grant and that viewer's media cookie (Node is never asked: it would refuse, having no session)
const viewer = '01hbenchviewerbenchviewerbe';
const viewerPath = `/media/us/${key}?${new MediaGrants(secret).sign({ realm: 'us', key, expiresAt: Math.floor(Date.now() / 1000) + 3600, viewer })}`;
const viewerHeaders = { ...headers, cookie: `${MEDIA_COOKIE}=${mediaCookieValue(secret, viewer)}` };

const [nginxPort, staticPort, directPort, accelPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
let nginx: RunningNginx | undefined;
const servers: ChildProcess[] = [];

async function check(url: string, h: Record<string, string>) {
  const res = await fetch(url, { headers: h });
  const got = Buffer.from(await res.arrayBuffer());
  if (res.status !== 206 || got.length !== MiB) throw new Error(`${url}: expected 206 with 1 MiB, got ${res.status} with ${got.length} bytes`);
}

async function reelm(mode: 'direct' | 'x-accel', port: number) {
  const child = await startProcess(
    ['src/main.ts', 'serve'],
    {
      REELM_PORT: String(port),
      REELM_HOST: '127.0.0.1',
      REELM_DATA_DIR: dataDir,
      REELM_SECRET: secret,
      REELM_LOG_LEVEL: 'warn',
      REELM_WORKERS: '0',
      REELM_MEDIA_DELIVERY: mode,
    },
    `http://127.0.0.1:${port}/healthz`,
  );
  servers.push(child);
  return child;
}

// The three targets are measured in alternation (rounds), so that load from
// other work on the machine hits them alike; figures are averages over rounds.
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const names = ['baseline', 'direct', 'xaccel', 'viewer', 'authCached'] as const;
type Target = (typeof names)[number];
const sums: Record<Target, number> = { baseline: 0, direct: 0, xaccel: 0, viewer: 0, authCached: 0 };
const latency: Record<Target, number> = { baseline: 0, direct: 0, xaccel: 0, viewer: 0, authCached: 0 };
try {
  nginx = await startNginx({
    upstreamPort: accelPort,
    edgeSecret: edgeSecret(secret),
    dataDir,
    port: nginxPort,
    extraServers: `server { listen 127.0.0.1:${staticPort}; location /static/ { alias ${resolve(blobsDir)}/; sendfile on; tcp_nopush on; } }`,
  });
  await reelm('direct', directPort); // one after the other: both migrate the same realm databases at start
  await reelm('x-accel', accelPort);
  const urls = {
    baseline: `http://127.0.0.1:${staticPort}/static/${key}`,
    direct: `http://127.0.0.1:${directPort}${path}`,
    xaccel: `http://127.0.0.1:${nginxPort}${path}`,
    viewer: `http://127.0.0.1:${nginxPort}${viewerPath}`,
    // the same grant without its nginx signature: Node decides once, nginx reuses the decision
    authCached: `http://127.0.0.1:${nginxPort}${path.replace(/&s=[^&]+/, '')}`,
  };
  const headersOf = (name: Target) => (name === 'viewer' ? viewerHeaders : headers);
  for (const name of names) await check(urls[name], headersOf(name));
  for (let i = 0; i < rounds; i++) {
    for (const name of names) {
      const r = wrk(urls[name], { seconds, connections, headers: headersOf(name) });
      sums[name] += r.requestsPerSec / rounds;
      latency[name] += r.latencyMs / rounds;
    }
  }
} finally {
  for (const s of servers) await stop(s);
  await nginx?.stop();
  if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
}
const results = Object.fromEntries(names.map((n) => [n, { requestsPerSec: sums[n], latencyMs: latency[n] }])) as Record<Target, WrkResult>;

const base = results.baseline!;
console.log(`Media bytes: 1 MiB range read, wrk -t1 -c${connections}, ${rounds} rounds of ${seconds} s per target, loopback (2-core machine)`);
row('nginx sendfile, static location (baseline)', base);
row('Reelm direct (Node sends the bytes)', results.direct!, base);
row('Reelm behind shipped nginx, grant checked by nginx', results.xaccel!, base);
row('… viewer-bound grant + media cookie, by nginx', results.viewer!, base);
row('Reelm behind shipped nginx, Node decision cached', results.authCached!, base);
const direct = results.direct!.requestsPerSec / base.requestsPerSec;
const xaccel = results.xaccel!.requestsPerSec / base.requestsPerSec;
const bound = results.viewer!.requestsPerSec / base.requestsPerSec;
console.log(
  `goals: direct ≥ 0.40× → ${direct.toFixed(2)}× ${direct >= 0.4 ? 'met' : 'NOT met'};  x-accel ≥ 0.90× → ${xaccel.toFixed(2)}× ${xaccel >= 0.9 ? 'met' : 'NOT met'};  viewer-bound ≥ 0.90× → ${bound.toFixed(2)}× ${bound >= 0.9 ? 'met' : 'NOT met'}`,
);
