import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestReelm } from './lanes.ts';

// Real Reelm processes, started as production starts them (`node src/main.ts
// <role>` with REELM_CONFIG pointing at a config file), against the stores of
// a test Reelm (startReelm provisions them: SQLite files and folders, or
// PostgreSQL databases with one role each and one S3 bucket per realm). The
// test Reelm itself stays open as an observer, like an operator's `reelm audit`.

export type Role = 'serve' | 'api' | 'worker';

export interface ReelmProcess {
  readonly role: Role;
  readonly child: ChildProcess;
  /** http://127.0.0.1:<port> for serve/api; '' for a worker */
  readonly url: string;
  readonly port: number;
  /** what the process wrote to stderr so far */
  stderr(): string;
  /** sends the signal and resolves with the exit code (or the signal's name) */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  readonly exited: Promise<number | string>;
}

/** Writes the config file every process of one deployment shares (same stores, same secret, same key). */
export function deploymentConfig(r: TestReelm, extra: Record<string, unknown> = {}): string {
  const file = join(r.dataDir, `reelm.config.${Math.random().toString(36).slice(2)}.json`);
  const { http: _http, ...config } = r.config;
  writeFileSync(file, JSON.stringify({ ...config, logLevel: 'silent', workers: true, ...extra }));
  return file;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `node src/main.ts <role>` and waits until it serves (/healthz answers) or, for a worker, has started its tasks. */
export async function startProcess(
  configFile: string,
  role: Role,
  opts: { env?: NodeJS.ProcessEnv; args?: string[]; port?: number; timeoutMs?: number } = {},
): Promise<ReelmProcess> {
  const port = role === 'worker' ? 0 : (opts.port ?? (await freePort()));
  const child = spawn(process.execPath, ['src/main.ts', role, ...(opts.args ?? [])], {
    env: { ...process.env, REELM_CONFIG: configFile, ...(port ? { REELM_PORT: String(port), REELM_HOST: '127.0.0.1' } : {}), ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    // own process group: a kill takes its ffmpeg children with it, as systemd's control-group kill does
    detached: true,
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = port ? `http://127.0.0.1:${port}` : '';
  const proc: ReelmProcess = {
    role,
    child,
    url,
    port,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`reelm ${role} exited before it was ready:\n${err}`);
    if (role === 'worker' ? /reelm worker \d+:/.test(err) : await healthy(url)) return proc;
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      throw new Error(`reelm ${role} not ready after ${opts.timeoutMs ?? 30_000} ms:\n${err}`);
    }
    await sleep(50);
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}

/** Kills a process and its children (its process group). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* already gone */
  }
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): any;
}

/**
 * An `app.inject`-shaped client that sends real HTTP to a process, so the
 * helpers written for in-process tests (signUp, uploadMultipart…) drive a
 * running deployment unchanged: `signUp(over(api.url), …)`.
 */
export function over(baseUrl: string): {
  app: {
    inject(o: {
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
      url: string;
      headers?: Record<string, string>;
      payload?: unknown;
    }): Promise<HttpResponse>;
  };
} {
  return {
    app: {
      async inject(o) {
        const headers: Record<string, string> = { ...(o.headers ?? {}) };
        let body: string | Buffer | undefined;
        if (Buffer.isBuffer(o.payload) || typeof o.payload === 'string') body = o.payload;
        else if (o.payload !== undefined) {
          body = JSON.stringify(o.payload);
          headers['content-type'] ??= 'application/json';
        }
        const res = await fetch(`${baseUrl}${o.url}`, { method: o.method, headers, body, redirect: 'manual' });
        const text = await res.text();
        return {
          statusCode: res.status,
          headers: Object.fromEntries(res.headers),
          body: text,
          json: () => JSON.parse(text),
        };
      },
    },
  };
}

/** Polls until `check` returns a truthy value (returned) or the time is up (throws with the last value). */
export async function eventually<T>(what: string, check: () => Promise<T>, timeoutMs = 60_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}
