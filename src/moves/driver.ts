import type { BackgroundTask } from '../modules/module.ts';
import type { RealmStore } from '../realm/store.ts';
import { runMove } from './move.ts';
import { MOVE_STEPS, type AccountMovesTable } from './schema.ts';

// The `move-driver` task: runs every unfinished move whose source and destination this process
// serves (asked for by a person or staff, or left by a crash), each to its end. A move that fails is
// tried again on the next round; its steps make that safe.

export const MOVE_DRIVER_INTERVAL_MS = 2000;

let wake: (() => void) | undefined;
/** Asks a running driver to look now (after a move is requested in this process). */
export function wakeMoveDriver() {
  wake?.();
}

async function pendingMoves(realms: readonly RealmStore[]): Promise<AccountMovesTable[]> {
  const byId = new Map<string, AccountMovesTable>();
  for (const store of realms) {
    for (const m of await store.db.selectFrom('account_moves').selectAll().where('step', '!=', 'done').execute()) {
      const seen = byId.get(m.id);
      if (!seen || MOVE_STEPS.indexOf(m.step) > MOVE_STEPS.indexOf(seen.step)) byId.set(m.id, m);
    }
  }
  return [...byId.values()].sort((a, b) => Number(a.created_at) - Number(b.created_at));
}

export const moveDriverTask: BackgroundTask = {
  name: 'move-driver',
  start(reelm, scope) {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    const served = new Set(scope.realms.map((r) => r.name));
    const tick = async () => {
      for (const move of await pendingMoves(scope.realms)) {
        if (stopped) return;
        if (!served.has(move.from_realm) || !served.has(move.to_realm)) continue;
        await runMove(reelm, move).catch((err) => scope.onError(err));
      }
    };
    const loop = () => {
      if (stopped) return;
      running = tick()
        .catch((err) => scope.onError(err))
        .finally(() => {
          running = undefined;
          if (!stopped) (timer = setTimeout(loop, MOVE_DRIVER_INTERVAL_MS)).unref();
        });
    };
    wake = () => {
      if (running || stopped) return;
      clearTimeout(timer);
      loop();
    };
    timer = setTimeout(loop, MOVE_DRIVER_INTERVAL_MS);
    timer.unref();
    return {
      async stop() {
        stopped = true;
        wake = undefined;
        clearTimeout(timer);
        await running;
      },
    };
  },
};
