import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';
import type { RealmStore } from '../realm/store.ts';

// How long jobs take to run, by kind and outcome (transcoding is kind `media.process`), kept as a
// cumulative Prometheus histogram in the realm's own database: workers have no HTTP port, so the
// worker that ran a job adds it here and every API process of the realm reports the realm's whole
// histogram at /metrics (src/api/metrics.ts). One row per (kind, outcome, bucket) with no person in
// it: job kinds are declared by the modules, outcomes are done / retry / failed.

export type JobOutcome = 'done' | 'retry' | 'failed';

/** Upper bounds in seconds: a short clip transcodes in seconds, a 10-minute 1080p upload in minutes. */
export const JOB_RUN_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] as const;

export interface JobRunStatsTable {
  kind: string;
  outcome: string;
  /** a bucket's upper bound ('0.5' … '1800', '+Inf' = the count), or 'sum' (seconds in total) */
  bucket: string;
  value: number;
}
export interface JobRunStatsTables {
  job_run_stats: JobRunStatsTable;
}

export const jobRunStatsTables = defineTables([
  {
    name: 'job_run_stats',
    kind: 'system',
    purpose: 'how long jobs ran, by kind and outcome, as cumulative histogram buckets (no person: read at /metrics)',
    columns: { kind: 'operational', outcome: 'operational', bucket: 'operational', value: 'operational' },
  },
]);

export const jobRunStatsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('job_run_stats')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_run_stats_pk', ['kind', 'outcome', 'bucket'])
      .execute();
  },
};

/** Adds one run to the histogram: every bucket it fits under, the count and the sum, in one statement. */
export async function recordJobRun(store: RealmStore, kind: string, outcome: JobOutcome, seconds: number): Promise<void> {
  const rows = [
    ...JOB_RUN_BUCKETS.filter((le) => seconds <= le).map((le) => ({ kind, outcome, bucket: String(le), value: 1 })),
    { kind, outcome, bucket: '+Inf', value: 1 },
    { kind, outcome, bucket: 'sum', value: seconds },
  ];
  await store.db
    .insertInto('job_run_stats')
    .values(rows)
    .onConflict((oc) => oc.columns(['kind', 'outcome', 'bucket']).doUpdateSet({ value: sql<number>`job_run_stats.value + excluded.value` }))
    .execute();
}

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The Prometheus text of `reelm_job_run_duration_seconds` for these realms, read from their databases. */
export async function jobRunHistogramText(stores: readonly RealmStore[]): Promise<string> {
  const name = 'reelm_job_run_duration_seconds';
  const out = [
    `# HELP ${name} how long jobs ran in the realm's workers, by kind (media.process: transcoding an upload) and outcome`,
    `# TYPE ${name} histogram`,
  ];
  for (const store of stores) {
    const rows = await store.db.selectFrom('job_run_stats').selectAll().execute();
    const series = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const key = `${r.kind}\u0000${r.outcome}`;
      if (!series.has(key)) series.set(key, new Map());
      series.get(key)!.set(r.bucket, Number(r.value));
    }
    for (const [key, values] of [...series].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [kind, outcome] = key.split('\u0000') as [string, string];
      const labels = `realm="${label(store.name)}",kind="${label(kind)}",outcome="${label(outcome)}"`;
      for (const le of JOB_RUN_BUCKETS) out.push(`${name}_bucket{${labels},le="${le}"} ${values.get(String(le)) ?? 0}`);
      out.push(`${name}_bucket{${labels},le="+Inf"} ${values.get('+Inf') ?? 0}`);
      out.push(`${name}_sum{${labels}} ${values.get('sum') ?? 0}`);
      out.push(`${name}_count{${labels}} ${values.get('+Inf') ?? 0}`);
    }
  }
  return out.join('\n') + '\n';
}
