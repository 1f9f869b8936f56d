import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Reelm } from '../context.ts';
import { jobRunHistogramText } from '../jobs/run-stats.ts';

// Prometheus metrics at /metrics. Labels are the realm name, the route
// pattern, method and status only — never ids, handles or addresses, so
// nothing personal leaves the process through metrics (S6;
// test/ops/metrics.test.ts). Queue and backlog gauges are read from each
// served realm's own database at scrape time, so every API process of a
// realm reports the realm's whole queue (the workers need no HTTP port); so is
// the job run-time histogram (transcode time: src/jobs/run-stats.ts).

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const httpDuration = new Histogram({
  name: 'reelm_http_request_duration_seconds',
  help: 'HTTP request duration by realm (the signed-in viewer’s home realm, "-" when signed out) and route pattern',
  labelNames: ['realm', 'method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

/** The per-realm gauges of one Reelm (one registry per app: tests build several apps in one process). */
function realmGauges(reelm: Reelm): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, read: (realm: string, now: number) => Promise<number>) =>
    new Gauge({
      name,
      help,
      labelNames: ['realm'] as const,
      registers: [registry],
      async collect() {
        const now = Date.now();
        for (const realm of reelm.realms.names()) this.set({ realm }, await read(realm, now).catch(() => Number.NaN));
      },
    });
  const db = (realm: string) => reelm.realms.get(realm).db;
  gauge('reelm_jobs_queued', 'jobs waiting to run (queued and due or not yet due)', async (realm) => {
    const r = await db(realm)
      .selectFrom('jobs')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('state', '=', 'queued')
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  });
  gauge('reelm_jobs_running', 'jobs held by a worker now', async (realm) => {
    const r = await db(realm)
      .selectFrom('jobs')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  });
  gauge('reelm_jobs_oldest_queued_age_seconds', 'age of the oldest queued job that is due (0 when none)', async (realm, now) => {
    const r = await db(realm)
      .selectFrom('jobs')
      .select((e) => e.fn.min<number>('run_at').as('t'))
      .where('state', '=', 'queued')
      .where('run_at', '<=', now)
      .executeTakeFirst();
    return r?.t == null ? 0 : (now - Number(r.t)) / 1000;
  });
  gauge('reelm_flow_outbox_pending', 'flow messages written and not yet delivered', async (realm) => {
    const r = await db(realm)
      .selectFrom('flow_outbox')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  });
  gauge('reelm_flow_outbox_oldest_age_seconds', 'age of the oldest undelivered flow message (0 when none)', async (realm, now) => {
    const r = await db(realm)
      .selectFrom('flow_outbox')
      .select((e) => e.fn.min<number>('created_at').as('t'))
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return r?.t == null ? 0 : (now - Number(r.t)) / 1000;
  });
  return registry;
}

/** Installs the timing hook on the root instance (so it sees every route) and the /metrics route. */
export function installMetrics(app: FastifyInstance, reelm: Reelm) {
  const own = realmGauges(reelm);
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    httpDuration.observe({ realm: req.viewer?.realm ?? '-', method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const merged = Registry.merge([metricsRegistry, own]);
    reply.header('content-type', merged.contentType);
    return (await merged.metrics()) + (await jobRunHistogramText(reelm.realms.all()));
  });
}
