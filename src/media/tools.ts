import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

// Every ffmpeg/ffprobe run goes through here: a hard time limit (SIGKILL),
// an address-space cap (prlimit) so a hostile file cannot take the machine's
// memory, a bounded stderr buffer, and cancellation by AbortSignal. A child
// that crashes or is killed becomes an error value, never a crashed worker.

export const FFMPEG = process.env.REELM_FFMPEG ?? '/usr/bin/ffmpeg';
export const FFPROBE = process.env.REELM_FFPROBE ?? '/usr/bin/ffprobe';
const PRLIMIT = existsSync('/usr/bin/prlimit') ? '/usr/bin/prlimit' : undefined;

export class ToolError extends Error {
  readonly reason: 'timeout' | 'aborted' | 'exit' | 'spawn';
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(reason: ToolError['reason'], message: string, exitCode: number | null, stderr: string) {
    super(message);
    this.reason = reason;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  memoryBytes?: number;
  /** called with each complete stdout line (ffmpeg `-progress pipe:1`) */
  onStdoutLine?: (line: string) => void;
  /** keep stdout (ffprobe JSON); off for ffmpeg, whose stdout is progress lines */
  captureStdout?: boolean;
}

const STDERR_KEEP = 16 * 1024;
const STDOUT_MAX = 8 * 1024 * 1024;

export function runTool(bin: string, args: string[], opts: RunOptions): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new ToolError('aborted', `${bin} not started: aborted`, null, ''));
    const [cmd, argv] = PRLIMIT && opts.memoryBytes ? [PRLIMIT, [`--as=${opts.memoryBytes}`, '--', bin, ...args]] : [bin, args];
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let partial = '';
    let stderr = '';
    let ended: ToolError['reason'] | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (opts.captureStdout && stdout.length < STDOUT_MAX) stdout += chunk;
      if (opts.onStdoutLine) {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const l of lines) opts.onStdoutLine(l);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    const kill = (why: ToolError['reason']) => {
      if (ended) return;
      ended = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
    const onAbort = () => kill('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new ToolError('spawn', `${bin} could not be started: ${err.message}`, null, ''));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (ended === 'timeout')
        return reject(new ToolError('timeout', `${bin} ran longer than ${Math.round(opts.timeoutMs / 1000)} s and was stopped`, code, stderr));
      if (ended === 'aborted') return reject(new ToolError('aborted', `${bin} was stopped`, code, stderr));
      if (code !== 0) return reject(new ToolError('exit', `${bin} failed (${sig ?? `exit ${code}`}): ${lastLines(stderr)}`, code, stderr));
      resolve({ stdout, stderr });
    });
  });
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 500);
}
