import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';

export interface BlockEdgesTable {
  blocker_id: string;
  blocked_id: string;
  created_at: number;
}

export const blockEdgesSpec = {
  name: 'block_edges',
  kind: 'replica',
  personColumns: ['blocker_id', 'blocked_id'],
  purpose: 'blocks made by anyone against a resident (delivered by social.block), so this realm hides the blocker’s content from them',
  columns: { blocker_id: 'operational', blocked_id: 'operational', created_at: 'operational' },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createBlockEdges(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('block_edges')
    .addColumn('blocker_id', 'text', (c) => c.notNull())
    .addColumn('blocked_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('block_edges_pk', ['blocked_id', 'blocker_id'])
    .execute();
}
