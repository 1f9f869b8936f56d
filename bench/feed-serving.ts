import { spawnSync } from 'node:child_process';
import { startProcess, stop } from './lib.ts';

// For You serving on a seeded world, 50 connections, against GET /api/v1/me and
// a bare node:http JSON hello in the same run.
//   REELM_DATA_DIR=/tmp/w npx reelm seed   # the world (10k accounts, 100k videos, 1M events)
//   BENCH_WORLD=/tmp/w node bench/feed-serving.ts
// Two For You rows:
//  • page 2 of one session again and again — the path of a person scrolling: the
//    session's ranked list is built once (per model version and history), each
//    page applies feedback, earlier pages and visibility and renders;
//  • a new session on every request (no cursor, includeSeen so pages stay full) —
//    the whole pipeline each time: candidates, visibility, seen filter, model
//    over every candidate, re-rank, rendering, seen rows written.

const world = process.env.BENCH_WORLD;
if (!world) throw new Error('set BENCH_WORLD to a data directory filled by `npx reelm seed`');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 50;

interface Result {
  rps: number;
  p50: number;
  p99: number;
}
function load(url: string, headers: Record<string, string> = {}): Result {
  const args = ['-t', '2', '-c', String(connections), '-d', `${seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  const r = spawnSync('wrk', [...args, url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  if (/Non-2xx/.test(r.stdout)) throw new Error(`${url}: non-2xx answers\n${r.stdout}`);
  const ms = (p: string) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout);
    return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
  };
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]), p50: ms('50'), p99: ms('99') };
}
const show = (name: string, r: Result, me?: Result) =>
  console.log(
    `${name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms${me ? `  ${(r.rps / me.rps).toFixed(2)}× /me` : ''}`,
  );

const bare = await startProcess(
  [
    '-e',
    "require('node:http').createServer((q,s)=>{s.setHeader('content-type','application/json');s.end(JSON.stringify({hello:'world'}))}).listen(18091,'127.0.0.1')",
  ],
  {},
  'http://127.0.0.1:18091/',
);
const hello = load('http://127.0.0.1:18091/');
await stop(bare);

const base = 'http://127.0.0.1:18092';
const server = await startProcess(
  ['src/main.ts', 'serve'],
  { REELM_PORT: '18092', REELM_DATA_DIR: world, REELM_LOG_LEVEL: 'warn', REELM_WORKERS: '0' },
  `${base}/healthz`,
);
try {
  const json = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(base + path, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<any>;
  };
  const handle = `bench${Date.now().toString(36)}`;
  const signup = await json('/api/v1/accounts', {
    method: 'POST',
    body: JSON.stringify({
      handle,
      email: `${handle}@example.com`,
      password: 'correct horse battery staple',
      birthDate: '1990-01-01',
      country: 'US',
      session: 'bearer',
    }),
  });
  const auth = { authorization: `Bearer ${signup.session.token}` };
  await json('/api/v1/me/interests', { method: 'PUT', headers: auth, body: JSON.stringify({ interests: ['cats', 'chess'] }) });
  // A little history: watch the first pages to the end, so every candidate source has input.
  let cursor: string | null = null;
  for (let i = 0; i < 3; i++) {
    const page: any = await json(`/api/v1/feed/for-you?limit=10${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
    await json('/api/v1/watch-events', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        events: page.items.map((it: any, k: number) => ({
          clientEventId: `bench-${i}-${k}`,
          videoId: it.id,
          watchedMs: 9000,
          durationMs: 9000,
          completed: true,
          replays: 0,
          playedAt: new Date().toISOString(),
        })),
      }),
    });
    cursor = page.nextCursor;
  }
  const first: any = await json('/api/v1/feed/for-you?limit=10', { headers: auth });
  const pinned = `/api/v1/feed/for-you?limit=10&cursor=${first.nextCursor}`;
  const check: any = await json(pinned, { headers: auth });
  if (check.items.length !== 10) throw new Error(`For You page has ${check.items.length} items`);
  const me = load(`${base}/api/v1/me`, auth);
  const fy = load(base + pinned, auth);
  const cold = load(`${base}/api/v1/feed/for-you?limit=10&includeSeen=true`, auth);
  console.log(`For You serving, wrk -t2 -c${connections} -d${seconds}s on loopback, world ${world}`);
  show('bare node:http JSON hello', hello);
  show('GET /api/v1/me', me);
  show('GET /api/v1/feed/for-you (limit 10)', fy, me);
  show('  … a new session per request (full ranking)', cold, me);
} finally {
  await stop(server);
}
