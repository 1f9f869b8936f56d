import { existsSync } from 'node:fs';
import type { Reelm } from '../context.ts';
import { FFMPEG } from '../media/tools.ts';
import { jobHandlers } from './handlers.ts';
import { Worker, type JobHandlers } from './worker.ts';

// Runs one worker per realm: inside the server process when config.workers is
// true, or as its own process (`reelm worker --realm us`). Each worker only
// ever touches its own realm's store, so a person's media is processed in
// their home realm (R13).

export interface WorkerSet {
  readonly workers: Worker[];
  poke(realm?: string): void;
  stop(): Promise<void>;
}

export function startWorkers(reelm: Reelm, opts: { realms?: string[]; handlers?: JobHandlers; onError?: (err: unknown) => void } = {}): WorkerSet {
  const names = opts.realms ?? reelm.realms.names();
  const handlers = opts.handlers ?? jobHandlers(reelm);
  const workers = names.map(
    (n) =>
      new Worker(reelm.realms.get(n), handlers, {
        concurrency: reelm.config.media.workerConcurrency,
        leaseMs: reelm.config.media.jobLeaseSeconds * 1000,
        onError: opts.onError ?? ((err) => console.error(`[worker ${n}]`, (err as Error)?.message ?? err)),
      }),
  );
  if (!existsSync(FFMPEG))
    console.error(`reelm: ffmpeg is not installed (${FFMPEG}); video uploads will wait until it is. Install it with: apt-get install ffmpeg`);
  for (const w of workers) w.start();
  return {
    workers,
    poke(realm) {
      for (const w of workers) if (!realm || w.store.name === realm) w.poke();
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}
