import type { Reelm } from '../context.ts';
import { isRealmSuspendedError } from '../realm/lifecycle.ts';
import type { RunningTask } from './module.ts';

// Process roles. Background work belongs to the process, not to the HTTP app:
//   serve  — the API and, by default (config.workers), every background task
//   api    — the API only (run as many as you like behind a load balancer)
//   worker — no API; every background task: jobs, flow delivery, count
//            publishing, upload housekeeping, and whatever later modules add
// Route plugins start nothing; startBackground starts the modules' tasks.

export type ProcessRole = 'serve' | 'api' | 'worker';

export interface Background {
  /** names of the running tasks */
  readonly tasks: readonly string[];
  /** stops every task: no new work is claimed, running jobs are handed back */
  stop(): Promise<void>;
}

export function startBackground(reelm: Reelm, opts: { realms?: readonly string[]; onError?: (task: string, err: unknown) => void } = {}): Background {
  const realms = (opts.realms ?? reelm.realms.names()).map((n) => reelm.realms.get(n));
  const report = opts.onError ?? ((task, err) => console.error(`[${task}]`, (err as Error)?.message ?? err));
  // A suspended realm refuses every write by design (src/realm/lifecycle.ts): not an error to report.
  const onError = (task: string, err: unknown) => (isRealmSuspendedError(err) ? undefined : report(task, err));
  const running: { name: string; task: RunningTask }[] = [];
  try {
    for (const t of reelm.composition.tasks) running.push({ name: t.name, task: t.start(reelm, { realms, onError: (err) => onError(t.name, err) }) });
  } catch (err) {
    void Promise.allSettled(running.map((r) => r.task.stop()));
    throw err;
  }
  return {
    tasks: running.map((r) => r.name),
    async stop() {
      const results = await Promise.allSettled(running.map((r) => r.task.stop()));
      for (const [i, r] of results.entries()) if (r.status === 'rejected') onError(running[i]!.name, r.reason);
    },
  };
}

/** The role `reelm serve` runs as: `serve`, or `api` when the configuration turns workers off (REELM_WORKERS=0). */
export function serveRole(workers: boolean): ProcessRole {
  return workers ? 'serve' : 'api';
}
