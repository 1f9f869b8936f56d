import type { ReelmModule } from '../modules/module.ts';
import { jobsMigration, jobTables } from './schema.ts';
import { startWorkers } from './workers.ts';

// The job queue as a module: its table, its migration, and the `jobs` task
// (one worker per realm of the process; stopping hands running jobs back).

export const jobsModule: ReelmModule = {
  name: 'jobs',
  tables: jobTables,
  migrations: { '0010_jobs': jobsMigration },
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
