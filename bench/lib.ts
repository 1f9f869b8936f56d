import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

// Shared by the benchmarks: start servers as child processes, load them with
// wrk on loopback for a bounded time, print figures.

export interface WrkResult {
  requestsPerSec: number;
  latencyMs: number;
}

export function wrk(url: string, opts: { seconds?: number; connections?: number; threads?: number; headers?: Record<string, string> } = {}): WrkResult {
  const args = ['-t', String(opts.threads ?? 1), '-c', String(opts.connections ?? 32), '-d', `${opts.seconds ?? 5}s`, '--latency'];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  const r = spawnSync('wrk', [...args, url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed (is the Debian package wrk installed?): ${r.stderr || r.error}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const lat = /Latency\s+([\d.]+)(us|ms|s)/.exec(r.stdout);
  const latencyMs = lat ? Number(lat[1]) * (lat[2] === 'us' ? 0.001 : lat[2] === 's' ? 1000 : 1) : NaN;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  if (non2xx) throw new Error(`${url}: ${non2xx[1]} non-2xx responses`);
  return { requestsPerSec: rps, latencyMs };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** wrk against a server process, with the server's CPU time per request over the run (less sensitive to other load than req/s). */
export function wrkWithCpu(pid: number, url: string, opts: Parameters<typeof wrk>[1] = {}): WrkResult & { cpuUsPerRequest: number } {
  const before = cpuSeconds(pid);
  const r = wrk(url, opts);
  const cpu = cpuSeconds(pid) - before;
  return { ...r, cpuUsPerRequest: (cpu * 1e6) / (r.requestsPerSec * (opts.seconds ?? 5)) };
}

export async function startProcess(args: string[], env: Record<string, string>, readyUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(readyUrl);
      if (r.ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`server did not answer at ${readyUrl}`);
}

export async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

export function row(name: string, r: WrkResult, baseline?: WrkResult) {
  const ratio = baseline ? `  ${(r.requestsPerSec / baseline.requestsPerSec).toFixed(2)}× baseline` : '';
  console.log(`${name.padEnd(52)} ${r.requestsPerSec.toFixed(0).padStart(8)} req/s  ${r.latencyMs.toFixed(2).padStart(7)} ms avg${ratio}`);
}

/** A batch of synthetic watch events over `videos` (as clients send them): 4 s of 9, every fourth finished. */
export function watchBatch(tag: string, batch: number, size: number, videos: readonly string[]) {
  return Array.from({ length: size }, (_, k) => ({
    clientEventId: `${tag}-${batch}-${k}`,
    videoId: videos[(batch * 500 + k) % videos.length]!,
    watchedMs: 4000,
    durationMs: 9000,
    completed: k % 4 === 0,
    replays: 0,
    playedAt: new Date().toISOString(),
  }));
}

/** One `watch_events` row as the social layer stores it, for benchmarks that write the table directly. */
export function watchRow(userId: string, clientEventId: string, videoId: string, videoRealm: string) {
  return {
    user_id: userId,
    client_event_id: clientEventId,
    video_id: videoId,
    video_realm: videoRealm,
    watched_ms: 4000,
    duration_ms: 9000,
    completed: 0,
    replays: 0,
    skipped: 0,
    played_at: Date.now(),
    received_at: Date.now(),
  };
}
