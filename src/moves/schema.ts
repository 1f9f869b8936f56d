import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// The persisted record of a move, step by step, so that a move killed at any step and run again
// reaches the same end (R9). The source realm holds it from the start; the destination from the
// copy on; at the end only the destination keeps it (the person's new home), with the report.

export type MoveStep = 'requested' | 'held' | 'copied' | 'verified' | 'switched' | 'relocated' | 'erased' | 'done';
export const MOVE_STEPS: readonly MoveStep[] = ['requested', 'held', 'copied', 'verified', 'switched', 'relocated', 'erased', 'done'];

export interface AccountMovesTable {
  id: string;
  user_id: string;
  from_realm: string;
  to_realm: string;
  /** the person's country in the new realm (their own, or the new one they gave) */
  country: string;
  step: MoveStep;
  /** who asked: operator (CLI), staff:<id>, person, country:<CC> */
  requested_by: string;
  /** SHA-256 of the canonical form of the person's data as copied (src/rights/person-data.ts) */
  digest: string | null;
  /** JSON: rows and files copied, verified and erased */
  report: string | null;
  created_at: number;
  updated_at: number;
}
export interface MovesTables {
  account_moves: AccountMovesTable;
}

export const movesTables = defineTables([
  {
    name: 'account_moves',
    kind: 'system',
    // the person's id: export, deletion and the registry checks find these rows (src/rights/person-data.ts)
    personColumns: ['user_id'],
    purpose: 'moves of a person between realms in progress (source and destination) and done (destination), with their report',
    columns: {
      id: 'operational',
      user_id: 'operational',
      from_realm: 'operational',
      to_realm: 'operational',
      country: 'protected',
      step: 'operational',
      requested_by: 'operational',
      digest: 'operational',
      report: 'operational',
      created_at: 'operational',
      updated_at: 'operational',
    },
  },
]);

export const movesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('account_moves')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('from_realm', 'text', (c) => c.notNull())
      .addColumn('to_realm', 'text', (c) => c.notNull())
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('digest', 'text')
      .addColumn('report', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('account_moves_user').on('account_moves').columns(['user_id', 'step']).execute();
  },
};
