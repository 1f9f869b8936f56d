import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Migration } from 'kysely/migration';
import type { z } from 'zod';
import type { Viewer } from '../api/auth.ts';
import type { Reelm } from '../context.ts';
import type { FlowDeclaration } from '../flows/declarations.ts';
import type { JobHandlers } from '../jobs/worker.ts';
import type { RealmStore } from '../realm/store.ts';
import type { TableSpec } from '../realm/tables.ts';
import type { EngagementListener } from './engagement.ts';

// The shape of a part of Reelm. A part (accounts, graph, social, media…) and a
// piece of machinery with tables or tasks (jobs, flows) each export ONE module
// object; the composition root (src/composition.ts) lists them and builds the
// table registry, the flow table, the job handler table, the route tree, the
// configuration schema and the background tasks from the list. So adding a
// part is one folder plus one line in the root, and the machinery never
// imports the parts it carries.

export interface ReelmModule {
  readonly name: string;
  /** Every table this module creates, every column classified (src/realm/tables.ts). */
  readonly tables?: readonly TableSpec[];
  /** Numbered migrations (`0020_social`); the numbers order them across modules. Never edit a landed one. */
  readonly migrations?: Readonly<Record<string, Migration>>;
  /** The flows this module receives: declaration and receiver together. */
  readonly flows?: readonly FlowDeclaration[];
  /** The flows this module sends; each must be declared (with its receiver) by some module. */
  readonly sends?: readonly string[];
  readonly jobs?: ModuleJobs;
  /** HTTP routes. Route plugins start nothing: background work is a task. */
  readonly routes?: FastifyPluginAsyncZod;
  readonly config?: ModuleConfig;
  /** Background work, run by the process roles `serve` and `worker` (never by `api`). */
  readonly tasks?: readonly BackgroundTask[];
  /** Told of a person's newly stored watches, likes, favorites and shares, inside the storing transaction (src/modules/engagement.ts). */
  readonly onEngagement?: EngagementListener;
  /** Who a session token belongs to (exactly one module — accounts — provides this). */
  readonly resolveViewer?: (reelm: Reelm, token: string) => Promise<Viewer | null>;
  /**
   * Refuses (throws an AppError) a signed-in person's write when this module says they may not write now
   * (moderation: a suspended account). Runs before every POST/PUT/PATCH/DELETE of a signed-in person,
   * except on routes marked `config: { allowSuspended: true }` (log out, appeal, their data, deletion).
   */
  readonly writeGate?: (reelm: Reelm, viewer: Viewer) => Promise<void>;
}

export interface ModuleJobs {
  /** the job kinds this module enqueues; each must have a handler */
  readonly kinds: readonly string[];
  handlers(reelm: Reelm): JobHandlers;
  /** how many jobs a realm's worker runs at once and how long a lease lasts (the largest asked for wins) */
  pool?(reelm: Reelm): { concurrency?: number; leaseMs?: number };
  /** a sentence to print when workers start without something they need (e.g. ffmpeg), or undefined */
  preflight?(): string | undefined;
}

export interface ModuleConfig {
  /** top-level configuration keys this module owns, with their zod schemas (defaults included) */
  readonly shape: Readonly<Record<string, z.ZodType>>;
  /** copies this module's environment variables into the merged configuration before validation */
  fromEnv?(env: NodeJS.ProcessEnv, merged: Record<string, any>): void;
}

export interface TaskScope {
  /** the realms this process runs background work for */
  readonly realms: readonly RealmStore[];
  onError(err: unknown): void;
}

export interface RunningTask {
  /** stops the task; running work is finished or handed back before this resolves */
  stop(): Promise<void>;
}

export interface BackgroundTask {
  readonly name: string;
  start(reelm: Reelm, scope: TaskScope): RunningTask;
}

/** A task that runs `tick` every `intervalMs` (one tick at a time; a slow tick skips the next) until stopped. */
export function intervalTask(name: string, intervalMs: (reelm: Reelm) => number, tick: (reelm: Reelm, scope: TaskScope) => Promise<unknown>): BackgroundTask {
  return {
    name,
    start(reelm, scope) {
      let running: Promise<void> | undefined;
      const timer = setInterval(() => {
        running ??= tick(reelm, scope)
          .then(
            () => undefined,
            (err) => scope.onError(err),
          )
          .finally(() => (running = undefined));
      }, intervalMs(reelm));
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}
