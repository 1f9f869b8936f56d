import type { Migration } from 'kysely/migration';
import type { FlowTable } from '../flows/flow-table.ts';
import type { BlockListener } from '../modules/blocks.ts';
import type { TableSpec } from './tables.ts';

// What a realm store is opened with: every table with its classification,
// every numbered migration and the flow table, all assembled from the modules
// by the composition root. The store keeps it so that the guard, the flow
// checks and the audit read the same lists.

export interface RealmSchema {
  readonly tables: readonly TableSpec[];
  /** Applied in key order; never edit a landed migration, add a new one. */
  readonly migrations: Readonly<Record<string, Migration>>;
  readonly flows: FlowTable;
  /** every module's `onBlock`, in module order: run inside the transaction storing a block (src/modules/blocks.ts) */
  readonly blockListeners: readonly BlockListener[];
}
