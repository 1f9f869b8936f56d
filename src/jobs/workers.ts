import type { Reelm } from '../context.ts';
import { onJobQueued } from './wake.ts';
import { Worker, type JobHandlers } from './worker.ts';

// Runs one worker per realm, as the `jobs` background task of the process
// roles `serve` and `worker`. Each worker only ever touches its own realm's
// store, so a person's media is processed in their home realm (R13). The
// handler table and pool settings come from the modules (reelm.composition).

export interface WorkerSet {
  readonly workers: Worker[];
  poke(realm?: string): void;
  stop(): Promise<void>;
}

export function startWorkers(reelm: Reelm, opts: { realms?: string[]; handlers?: JobHandlers; onError?: (err: unknown) => void } = {}): WorkerSet {
  const names = opts.realms ?? reelm.realms.names();
  const table = reelm.composition.jobs(reelm);
  const handlers = opts.handlers ?? table.handlers;
  const workers = names.map(
    (n) =>
      new Worker(reelm.realms.get(n), handlers, {
        concurrency: table.concurrency,
        leaseMs: table.leaseMs,
        onError: opts.onError ?? ((err) => console.error(`[worker ${n}]`, (err as Error)?.message ?? err)),
      }),
  );
  for (const warning of table.preflight) console.error(`reelm: ${warning}`);
  for (const w of workers) w.start();
  const unsubscribe = workers.map((w) => onJobQueued(w.store, () => w.poke()));
  return {
    workers,
    poke(realm) {
      for (const w of workers) if (!realm || w.store.name === realm) w.poke();
    },
    async stop() {
      for (const u of unsubscribe) u();
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}
