import { hostname } from 'node:os';
import type { RealmStore } from '../realm/store.ts';
import { newId } from '../lib/ids.ts';
import { isRealmHeld } from '../realm/lifecycle.ts';
import { recordJobRun, type JobOutcome } from './run-stats.ts';
import { claim, complete, defaultBackoff, fail, heartbeat, JobError, release, type Backoff, type Job } from './queue.ts';

// A worker runs the jobs of one realm. It holds a lease on each job it runs and
// renews it by heartbeat; if the process dies the lease runs out and another
// worker claims the job again, so handlers must be idempotent (write to fixed
// keys, make their final database update conditional).

export interface JobContext {
  readonly store: RealmStore;
  readonly job: Job;
  /** aborted when the worker stops or loses the lease: stop work, leave no partial results */
  readonly signal: AbortSignal;
  /** 0–100; stored with the next heartbeat */
  progress(percent: number): void;
}

export interface JobHandler {
  run(payload: any, ctx: JobContext): Promise<void>;
  /** Called once when the job has failed for good, to tell the person (e.g. mark the upload failed). */
  failed?(payload: any, error: { code: string; message: string }, ctx: { store: RealmStore; job: Job }): Promise<void>;
}

export type JobHandlers = Record<string, JobHandler>;

export interface WorkerOptions {
  id?: string;
  concurrency?: number;
  leaseMs?: number;
  heartbeatMs?: number;
  pollMs?: number;
  backoff?: Backoff;
  onError?: (err: unknown) => void;
}

export class Worker {
  readonly id: string;
  readonly store: RealmStore;
  readonly #handlers: JobHandlers;
  readonly #opts: Required<Omit<WorkerOptions, 'id' | 'onError'>> & Pick<WorkerOptions, 'onError'>;
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;

  constructor(store: RealmStore, handlers: JobHandlers, opts: WorkerOptions = {}) {
    this.id = opts.id ?? `${hostname()}:${process.pid}:${newId().slice(-6)}`;
    this.store = store;
    this.#handlers = handlers;
    this.#opts = {
      concurrency: opts.concurrency ?? 1,
      leaseMs: opts.leaseMs ?? 60_000,
      heartbeatMs: opts.heartbeatMs ?? Math.min(10_000, Math.floor((opts.leaseMs ?? 60_000) / 3)),
      pollMs: opts.pollMs ?? 500,
      backoff: opts.backoff ?? defaultBackoff,
      onError: opts.onError,
    };
  }

  /** Claims and runs one job to its end. Resolves false when nothing was claimable. */
  async runOnce(): Promise<boolean> {
    if (await isRealmHeld(this.store)) return false; // a suspended realm runs nothing until it resumes
    const job = await claim(this.store.db, this.id, Object.keys(this.#handlers), this.#opts.leaseMs);
    if (!job) return false;
    const abort = new AbortController();
    const done = this.#execute(job, abort);
    this.#running.set(job.id, { abort, done });
    try {
      await done;
    } finally {
      this.#running.delete(job.id);
    }
    return true;
  }

  /** Runs jobs until none is claimable (tests and the benchmark). */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.runOnce()) n++;
    return n;
  }

  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    const slots = Array.from({ length: this.#opts.concurrency }, () => this.#slot());
    this.#loop = Promise.all(slots).then(() => undefined);
  }

  /** Nudges idle slots to look for work now (called after enqueueing in this process). */
  poke(): void {
    this.#wake?.();
  }

  /** Stops claiming; running jobs are aborted and handed back to the queue without counting the attempt. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    for (const r of this.#running.values()) r.abort.abort(new Error('worker stopping'));
    await Promise.allSettled([...this.#running.values()].map((r) => r.done));
    await this.#loop;
    this.#loop = undefined;
  }

  async #slot() {
    while (!this.#stopping) {
      let ran = false;
      try {
        ran = await this.runOnce();
      } catch (err) {
        this.#opts.onError?.(err);
      }
      if (!ran && !this.#stopping) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.#opts.pollMs);
          this.#wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  }

  async #execute(job: Job, abort: AbortController): Promise<void> {
    const db = this.store.db;
    const handler = this.#handlers[job.kind]!;
    // A job whose worker died on its last allowed attempt is not run again.
    if (job.attempts > job.max_attempts) {
      await this.#finalFailure(job, handler, {
        code: 'worker_lost',
        message: 'The worker processing this job stopped responding too many times.',
        permanent: true,
      });
      return;
    }
    let progress = job.progress;
    let beating = Promise.resolve();
    const timer = setInterval(() => {
      beating = beating.then(async () => {
        const held = await heartbeat(db, job, this.id, this.#opts.leaseMs, progress).catch(() => true);
        if (!held) abort.abort(new Error('lease lost'));
      });
    }, this.#opts.heartbeatMs);
    timer.unref();
    let payload: unknown;
    const started = performance.now();
    try {
      payload = JSON.parse(job.payload);
      await handler.run(payload, { store: this.store, job, signal: abort.signal, progress: (p) => void (progress = p) });
      clearInterval(timer);
      await beating;
      if (abort.signal.aborted) throw abort.signal.reason;
      await complete(db, job, this.id);
      await this.#recordRun(job, 'done', started);
    } catch (err) {
      clearInterval(timer);
      await beating;
      if (this.#stopping && abort.signal.aborted) {
        await release(db, job, this.id);
        return;
      }
      if (abort.signal.aborted && String((abort.signal.reason as Error)?.message) === 'lease lost') return; // someone else owns it now
      const e =
        err instanceof JobError
          ? { code: err.code, message: err.message, permanent: err.permanent }
          : { code: 'internal', message: (err as Error)?.message ?? String(err), permanent: false };
      if (e.code === 'internal') this.#opts.onError?.(err);
      const state = await fail(db, job, this.id, e, this.#opts.backoff);
      if (state) await this.#recordRun(job, state === 'failed' ? 'failed' : 'retry', started);
      if (state === 'failed') await this.#notifyFailed(job, handler, e);
    }
  }

  /** Adds the run to the realm's run-time histogram (metrics); a failure to record never fails the job. */
  async #recordRun(job: Job, outcome: JobOutcome, started: number) {
    await recordJobRun(this.store, job.kind, outcome, (performance.now() - started) / 1000).catch((err) => this.#opts.onError?.(err));
  }

  async #finalFailure(job: Job, handler: JobHandler, e: { code: string; message: string; permanent: boolean }) {
    const state = await fail(this.store.db, job, this.id, e, this.#opts.backoff);
    if (state === 'failed') await this.#notifyFailed(job, handler, e);
  }

  async #notifyFailed(job: Job, handler: JobHandler, e: { code: string; message: string }) {
    try {
      await handler.failed?.(JSON.parse(job.payload), { code: e.code, message: e.message }, { store: this.store, job });
    } catch (err) {
      this.#opts.onError?.(err);
    }
  }
}
