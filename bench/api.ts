import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, stop, wrkWithCpu } from './lib.ts';

// API throughput against a bare node:http JSON "hello" in the same run, on the
// embedded default. Run: npm run bench -- api   (or node bench/api.ts)
// The baseline and every target are measured in alternation (BENCH_ROUNDS rounds), so
// load from other work on the machine hits them alike; the figure is the ratio of each
// target's req/s to the baseline's in the same round, averaged over rounds. The server's
// CPU time per request is printed beside it (read from /proc): on a shared machine it
// moves less than req/s does.

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const bare = await startProcess(
  [
    '-e',
    "require('node:http').createServer((q,s)=>{s.setHeader('content-type','application/json');s.end(JSON.stringify({hello:'world'}))}).listen(18081,'127.0.0.1')",
  ],
  {},
  'http://127.0.0.1:18081/',
);
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
  const targets: [string, number, string, Record<string, string>][] = [
    ['bare node:http JSON hello (baseline)', bare.pid!, 'http://127.0.0.1:18081/', {}],
    ['GET /healthz (pings every realm database)', reelm.pid!, 'http://127.0.0.1:18082/healthz', {}],
    ['GET /api/v1/users/:handle (directory + realm)', reelm.pid!, 'http://127.0.0.1:18082/api/v1/users/bench_creator', {}],
    ['GET /api/v1/me (bearer session lookup)', reelm.pid!, 'http://127.0.0.1:18082/api/v1/me', { authorization: `Bearer ${token}` }],
  ];
  const sum = targets.map(() => ({ rps: 0, ratio: 0, cpu: 0, latency: 0 }));
  for (let round = 0; round < rounds; round++) {
    let baseline = 0;
    targets.forEach(([, pid, url, headers], i) => {
      const r = wrkWithCpu(pid, url, { seconds, headers });
      if (i === 0) baseline = r.requestsPerSec;
      const s = sum[i]!;
      s.rps += r.requestsPerSec / rounds;
      s.ratio += r.requestsPerSec / baseline / rounds;
      s.cpu += r.cpuUsPerRequest / rounds;
      s.latency += r.latencyMs / rounds;
    });
  }
  console.log(`API throughput, wrk -t1 -c32, ${rounds} rounds of ${seconds} s per target, alternating, loopback (2-core machine)`);
  targets.forEach(([name], i) => {
    const s = sum[i]!;
    const ratio = i === 0 ? '' : `  ${s.ratio.toFixed(2)}× baseline`;
    console.log(
      `${name.padEnd(48)} ${s.rps.toFixed(0).padStart(7)} req/s ${s.latency.toFixed(2).padStart(7)} ms avg ${s.cpu.toFixed(0).padStart(5)} µs CPU/req${ratio}`,
    );
  });
} finally {
  await stop(reelm);
  await stop(bare);
  rmSync(dataDir, { recursive: true, force: true });
}
