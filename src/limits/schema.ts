import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// Abuse-limit counters, one row per (action, subject): the current fixed window's
// count and the previous one's, which together give a sliding-window estimate.
// The key is an HMAC under the server secret of action + subject (an account id or
// a client address), so no address is stored and the row has no personal meaning.

export interface RateCountersTable {
  key: string;
  window_start: number;
  count: number;
  prev_count: number;
  expires_at: number;
}

export interface LimitsTables {
  rate_counters: RateCountersTable;
}

export const limitsTables = defineTables([
  {
    name: 'rate_counters',
    kind: 'system',
    purpose: 'abuse-limit counters keyed by a keyed hash of action and subject (account id or client address); expire after two windows',
    columns: { key: 'operational', window_start: 'operational', count: 'operational', prev_count: 'operational', expires_at: 'operational' },
  },
]);

export const limitsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('rate_counters')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('prev_count', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_counters_expiry').on('rate_counters').column('expires_at').execute();
  },
};
