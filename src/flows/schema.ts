import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// Flow machinery in every realm store. The sender writes flow_outbox rows in
// the same transaction as the change they announce; the receiver applies a
// message and records it in flow_inbox in one transaction, next-in-sequence
// only. Payloads carry public and operational fields only (checked at emit
// and again at receipt), so these tables hold no protected data.

export type OutboxState = 'pending' | 'delivered' | 'refused';
export type InboxOutcome = 'applied' | 'skipped' | 'refused';

export interface FlowOutboxTable {
  id: string;
  to_realm: string;
  /** 1, 2, 3… per receiving realm, allocated in the sender's transaction */
  seq: number;
  flow: string;
  /** JSON object of declared fields */
  payload: string;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}
export interface FlowSendStateTable {
  to_realm: string;
  last_seq: number;
}
export interface FlowInboxTable {
  message_id: string;
  from_realm: string;
  seq: number;
  flow: string;
  outcome: InboxOutcome;
  received_at: number;
}
export interface FlowReceiveStateTable {
  from_realm: string;
  applied_seq: number;
}
export interface FlowTables {
  flow_outbox: FlowOutboxTable;
  flow_send_state: FlowSendStateTable;
  flow_inbox: FlowInboxTable;
  flow_receive_state: FlowReceiveStateTable;
}

export const flowTables = defineTables([
  {
    name: 'flow_outbox',
    kind: 'system',
    purpose: 'declared cross-realm messages waiting for (or kept briefly after) delivery',
    columns: {
      id: 'operational',
      to_realm: 'operational',
      seq: 'operational',
      flow: 'operational',
      payload: 'public',
      state: 'operational',
      attempts: 'operational',
      last_error: 'operational',
      created_at: 'operational',
      delivered_at: 'operational',
    },
  },
  {
    name: 'flow_send_state',
    kind: 'system',
    purpose: 'the last sequence number allocated per receiving realm',
    columns: { to_realm: 'operational', last_seq: 'operational' },
  },
  {
    name: 'flow_inbox',
    kind: 'system',
    purpose: 'ids of messages received and applied (idempotency record; no payloads kept)',
    columns: {
      message_id: 'operational',
      from_realm: 'operational',
      seq: 'operational',
      flow: 'operational',
      outcome: 'operational',
      received_at: 'operational',
    },
  },
  {
    name: 'flow_receive_state',
    kind: 'system',
    purpose: 'the last sequence number applied per sending realm',
    columns: { from_realm: 'operational', applied_seq: 'operational' },
  },
]);

export const flowsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('flow_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('to_realm', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('flow', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .addUniqueConstraint('flow_outbox_to_seq', ['to_realm', 'seq'])
      .execute();
    await db.schema.createIndex('flow_outbox_pending').on('flow_outbox').columns(['state', 'to_realm', 'seq']).execute();
    await db.schema
      .createTable('flow_send_state')
      .addColumn('to_realm', 'text', (c) => c.primaryKey())
      .addColumn('last_seq', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('flow_inbox')
      .addColumn('message_id', 'text', (c) => c.primaryKey())
      .addColumn('from_realm', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('flow', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('flow_inbox_from_seq', ['from_realm', 'seq'])
      .execute();
    await db.schema
      .createTable('flow_receive_state')
      .addColumn('from_realm', 'text', (c) => c.primaryKey())
      .addColumn('applied_seq', 'bigint', (c) => c.notNull())
      .execute();
  },
};
