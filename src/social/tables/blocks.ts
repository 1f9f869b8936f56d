import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { fk } from './columns.ts';

export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  blocked_realm: string;
  blocked_handle: string;
  created_at: number;
}

export const blocksSpec = {
  name: 'blocks',
  kind: 'resident',
  ownerColumn: 'blocker_id',
  personColumns: ['blocked_id'],
  purpose: 'accounts a resident blocked',
  columns: { blocker_id: 'operational', blocked_id: 'operational', blocked_realm: 'operational', blocked_handle: 'public', created_at: 'operational' },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createBlocks(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('blocks')
    .addColumn('blocker_id', 'text', fk)
    .addColumn('blocked_id', 'text', (c) => c.notNull())
    .addColumn('blocked_realm', 'text', (c) => c.notNull())
    .addColumn('blocked_handle', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['blocker_id', 'blocked_id'])
    .execute();
}
