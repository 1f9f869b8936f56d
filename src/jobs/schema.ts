import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';
import type { JobRunStatsTables } from './run-stats.ts';

// The durable job queue is a table in each realm's own database: no extra
// server on the embedded default, row locking on PostgreSQL. A job processes a
// person's data (R13), so it is a *resident* row owned by that person: the
// residency guard refuses a job for someone whose home is another realm.

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: string;
  owner_id: string;
  kind: string;
  /** JSON; ids and options, never media bytes */
  payload: string;
  state: JobState;
  /** at most one job per key (e.g. `transcode:<videoId>`): enqueueing it again returns the existing job */
  dedupe_key: string | null;
  attempts: number;
  max_attempts: number;
  /** when a queued job may run next (backoff after a failure) */
  run_at: number;
  lease_owner: string | null;
  /** a running job whose lease has passed belongs to a dead worker and is claimed again */
  lease_until: number | null;
  /** 0–100, reported by the handler through heartbeats */
  progress: number;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface JobTables extends JobRunStatsTables {
  jobs: JobsTable;
}

export const jobTables = defineTables([
  {
    name: 'jobs',
    kind: 'resident',
    ownerColumn: 'owner_id',
    purpose: 'durable background work (transcoding, sounds, duets) on a resident’s data, run in their home realm',
    columns: {
      id: 'operational',
      owner_id: 'operational',
      kind: 'operational',
      payload: 'protected',
      state: 'operational',
      dedupe_key: 'operational',
      attempts: 'operational',
      max_attempts: 'operational',
      run_at: 'operational',
      lease_owner: 'operational',
      lease_until: 'operational',
      progress: 'operational',
      error_code: 'operational',
      error_message: 'protected',
      created_at: 'operational',
      updated_at: 'operational',
      finished_at: 'operational',
    },
  },
]);

export const jobsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('dedupe_key', 'text', (c) => c.unique())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('run_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('jobs_ready').on('jobs').columns(['state', 'run_at']).execute();
    await db.schema.createIndex('jobs_owner').on('jobs').column('owner_id').execute();
  },
};
