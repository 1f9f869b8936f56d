import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { row, startProcess, stop, wrk } from './lib.ts';

// API throughput against a bare node:http JSON "hello" in the same run, on the
// embedded default. Run: npm run bench -- api   (or node bench/api.ts)

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const bare = await startProcess(
  [
    '-e',
    "require('node:http').createServer((q,s)=>{s.setHeader('content-type','application/json');s.end(JSON.stringify({hello:'world'}))}).listen(18081,'127.0.0.1')",
  ],
  {},
  'http://127.0.0.1:18081/',
);
const baseline = wrk('http://127.0.0.1:18081/', { seconds });
await stop(bare);

const dataDir = mkdtempSync(join(tmpdir(), 'reelm-bench-'));
const reelm = await startProcess(
  ['src/main.ts', 'serve'],
  { REELM_PORT: '18082', REELM_DATA_DIR: dataDir, REELM_LOG_LEVEL: 'warn' },
  'http://127.0.0.1:18082/healthz',
);
try {
  const signup = await fetch('http://127.0.0.1:18082/api/v1/accounts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      handle: 'bench_creator',
      email: 'bench@example.com',
      password: 'correct horse battery staple',
      birthDate: '1990-01-01',
      country: 'DE',
      session: 'bearer',
    }),
  });
  const token = ((await signup.json()) as { session: { token: string } }).session.token;
  console.log(`API throughput, wrk -t1 -c32 -d${seconds}s on loopback (2-core machine)`);
  row('bare node:http JSON hello (baseline)', baseline);
  row('GET /healthz (pings every realm database)', wrk('http://127.0.0.1:18082/healthz', { seconds }), baseline);
  row('GET /api/v1/users/:handle (directory + realm)', wrk('http://127.0.0.1:18082/api/v1/users/bench_creator', { seconds }), baseline);
  row('GET /api/v1/me (bearer session lookup)', wrk('http://127.0.0.1:18082/api/v1/me', { seconds, headers: { authorization: `Bearer ${token}` } }), baseline);
} finally {
  await stop(reelm);
  rmSync(dataDir, { recursive: true, force: true });
}
