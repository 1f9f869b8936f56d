import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Migration } from 'kysely/migration';
import type { z } from 'zod';
import type { Viewer } from '../api/auth.ts';
import type { Reelm } from '../context.ts';
import { FlowTable } from '../flows/flow-table.ts';
import type { JobHandlers } from '../jobs/worker.ts';
import type { RealmSchema } from '../realm/realm-schema.ts';
import type { TableSpec } from '../realm/tables.ts';
import type { EngagementListener } from './engagement.ts';
import type { BackgroundTask, ModuleConfig, ReelmModule } from './module.ts';

// Builds everything the machinery needs from the list of modules, and refuses
// (CompositionError, naming the module) what would otherwise fail later: a
// table, migration, flow, job kind or config key declared twice, a flow a
// module sends that nobody declares with a receiver, no or two session
// resolvers. The checks that need open stores run in checkStartup.

export class CompositionError extends Error {}

/** The job handler table and worker pool settings for one running Reelm. */
export interface JobTable {
  readonly handlers: JobHandlers;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly preflight: readonly string[];
}

export interface Composition {
  readonly modules: readonly ReelmModule[];
  readonly schema: RealmSchema;
  readonly jobKinds: ReadonlySet<string>;
  readonly routes: readonly { readonly module: string; readonly plugin: FastifyPluginAsyncZod }[];
  readonly tasks: readonly BackgroundTask[];
  /** every module's `onEngagement`, in module order */
  readonly engagementListeners: readonly EngagementListener[];
  readonly config: { readonly shape: Readonly<Record<string, z.ZodType>>; readonly fromEnv: readonly NonNullable<ModuleConfig['fromEnv']>[] };
  jobs(reelm: Reelm): JobTable;
  resolveViewer(reelm: Reelm, token: string): Promise<Viewer | null>;
  /** every module's `writeGate`, in module order */
  readonly writeGates: readonly NonNullable<ReelmModule['writeGate']>[];
}

export interface ComposeOptions {
  /** configuration keys owned by the base configuration (src/config/config.ts); a module may not claim them */
  reservedConfigKeys?: readonly string[];
}

export function composeModules(modules: readonly ReelmModule[], opts: ComposeOptions = {}): Composition {
  const owner = new Map<string, string>(); // "kind:name" → module, to name both sides of a clash
  const claim = (kind: string, name: string, module: string) => {
    const prev = owner.get(`${kind}:${name}`);
    if (prev) throw new CompositionError(`${kind} "${name}" is declared by both module ${prev} and module ${module}`);
    owner.set(`${kind}:${name}`, module);
  };
  for (const key of opts.reservedConfigKeys ?? []) claim('configuration key', key, 'config (base)');

  const tables: TableSpec[] = [];
  const migrations: Record<string, Migration> = {};
  const flows = [];
  const jobKinds = new Set<string>();
  const shape: Record<string, z.ZodType> = {};
  const fromEnv: NonNullable<ModuleConfig['fromEnv']>[] = [];
  const tasks: BackgroundTask[] = [];
  const engagementListeners: EngagementListener[] = [];
  const writeGates: NonNullable<ReelmModule['writeGate']>[] = [];
  const viewerResolvers: { module: string; resolve: NonNullable<ReelmModule['resolveViewer']> }[] = [];
  for (const m of modules) {
    claim('module', m.name, m.name);
    for (const t of m.tables ?? []) {
      claim('table', t.name, m.name);
      tables.push(t);
    }
    for (const [name, migration] of Object.entries(m.migrations ?? {})) {
      if (!/^\d{4}_[a-z0-9_]+$/.test(name)) throw new CompositionError(`module ${m.name}: migration "${name}" must be named NNNN_name`);
      claim('migration', name, m.name);
      migrations[name] = migration;
    }
    for (const f of m.flows ?? []) {
      claim('flow', f.name, m.name);
      if (typeof f.receive !== 'function') throw new CompositionError(`module ${m.name}: flow ${f.name} has no receiver`);
      flows.push(f);
    }
    for (const kind of m.jobs?.kinds ?? []) {
      claim('job kind', kind, m.name);
      jobKinds.add(kind);
    }
    for (const [key, schema] of Object.entries(m.config?.shape ?? {})) {
      claim('configuration key', key, m.name);
      shape[key] = schema;
    }
    if (m.config?.fromEnv) fromEnv.push(m.config.fromEnv);
    for (const t of m.tasks ?? []) {
      claim('background task', t.name, m.name);
      tasks.push(t);
    }
    if (m.onEngagement) engagementListeners.push(m.onEngagement);
    if (m.writeGate) writeGates.push(m.writeGate);
    if (m.resolveViewer) viewerResolvers.push({ module: m.name, resolve: m.resolveViewer });
  }
  const table = new FlowTable(flows, tables);
  for (const m of modules) {
    for (const name of m.sends ?? []) {
      if (!table.get(name)) throw new CompositionError(`module ${m.name} sends flow "${name}", which no module declares with a receiver`);
    }
  }
  if (viewerResolvers.length !== 1) {
    throw new CompositionError(
      `exactly one module must resolve session tokens to viewers; found ${viewerResolvers.length ? viewerResolvers.map((v) => v.module).join(', ') : 'none'}`,
    );
  }
  const resolveViewer = viewerResolvers[0]!.resolve;

  return {
    modules,
    schema: { tables, migrations, flows: table },
    jobKinds,
    routes: modules.flatMap((m) => (m.routes ? [{ module: m.name, plugin: m.routes }] : [])),
    tasks,
    engagementListeners,
    config: { shape, fromEnv },
    resolveViewer,
    writeGates,
    jobs(reelm) {
      const handlers: JobHandlers = {};
      const concurrency: number[] = [];
      const leases: number[] = [];
      const preflight: string[] = [];
      for (const m of modules) {
        if (!m.jobs) continue;
        const own = m.jobs.handlers(reelm);
        for (const kind of Object.keys(own)) {
          if (!m.jobs.kinds.includes(kind)) throw new CompositionError(`module ${m.name} has a handler for job kind "${kind}", which it does not declare`);
        }
        for (const kind of m.jobs.kinds) {
          if (!own[kind]) throw new CompositionError(`module ${m.name} declares job kind "${kind}" but has no handler for it`);
          handlers[kind] = own[kind];
        }
        const pool = m.jobs.pool?.(reelm);
        if (pool?.concurrency) concurrency.push(pool.concurrency);
        if (pool?.leaseMs) leases.push(pool.leaseMs);
        const warning = m.jobs.preflight?.();
        if (warning) preflight.push(warning);
      }
      return { handlers, concurrency: Math.max(1, ...concurrency), leaseMs: leases.length ? Math.max(...leases) : 60_000, preflight };
    },
  };
}
