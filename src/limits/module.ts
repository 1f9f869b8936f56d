import { intervalTask, type ReelmModule } from '../modules/module.ts';
import { limitsConfigSchema, type LimitsConfig } from './config.ts';
import { pruneCounters } from './limiter.ts';
import { limitsMigration, limitsTables, type LimitsTables } from './schema.ts';

// Abuse limits: the counters every part consults (src/limits/limiter.ts), their
// configuration and the task that prunes expired counters (docs/SECURITY.md).

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends LimitsTables {}
}
declare module '../config/config.ts' {
  interface PartConfig {
    /** abuse limits, honest-count windows and comment spam heuristics (src/limits/config.ts) */
    limits: LimitsConfig;
  }
}

export const limitsModule: ReelmModule = {
  name: 'limits',
  tables: limitsTables,
  migrations: { '0060_limits': limitsMigration },
  config: { shape: { limits: limitsConfigSchema } },
  tasks: [
    intervalTask(
      'rate-counter-prune',
      () => 5 * 60_000,
      async (_reelm, scope) => {
        for (const store of scope.realms) await pruneCounters(store).catch((err) => scope.onError(err));
      },
    ),
  ],
};
