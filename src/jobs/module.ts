import type { ReelmModule } from '../modules/module.ts';
import { jobRunStatsMigration, jobRunStatsTables } from './run-stats.ts';
import { jobsMigration, jobTables } from './schema.ts';
import { startWorkers } from './workers.ts';

// The job queue as a module: its tables (the queue, run-time histograms), its migrations, and the `jobs` task
// (one worker per realm of the process; stopping hands running jobs back).

export const jobsModule: ReelmModule = {
  name: 'jobs',
  tables: [...jobTables, ...jobRunStatsTables],
  migrations: { '0010_jobs': jobsMigration, '0019_job_run_stats': jobRunStatsMigration },
  tasks: [
    {
      name: 'jobs',
      start(reelm, scope) {
        const set = startWorkers(reelm, { realms: scope.realms.map((s) => s.name), onError: scope.onError });
        return { stop: () => set.stop() };
      },
    },
  ],
};
