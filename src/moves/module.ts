import type { ReelmModule } from '../modules/module.ts';
import { movesConfigSchema, type MovesConfig } from './config.ts';
import { moveDriverTask } from './driver.ts';
import { MOVES_FLOWS } from './flows.ts';
import { movesRoutes } from './routes.ts';
import { movesMigration, movesTables, type MovesTables } from './schema.ts';

// Residency operations: realm lifecycle (suspend, resume, close — the state itself is machinery,
// src/realm/lifecycle.ts, because it holds every write), country availability, and moving people
// between realms (docs/RESIDENCY.md, "Residency operations").

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends MovesTables {}
}
declare module '../config/config.ts' {
  interface PartConfig {
    /** Residency operations (src/moves/config.ts). */
    moves: MovesConfig;
  }
}

export const movesModule: ReelmModule = {
  name: 'moves',
  tables: movesTables,
  migrations: { '0072_moves': movesMigration },
  flows: MOVES_FLOWS,
  sends: [...MOVES_FLOWS.map((f) => f.name), 'graph.follow', 'graph.unfollow'],
  routes: movesRoutes,
  tasks: [moveDriverTask],
  config: {
    shape: { moves: movesConfigSchema },
    fromEnv(env, merged) {
      if (env.REELM_COUNTRY_HEADER) merged.moves = { ...(merged.moves ?? {}), countryHeader: env.REELM_COUNTRY_HEADER };
    },
  },
};
