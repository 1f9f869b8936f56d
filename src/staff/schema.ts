import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// Staff are the operator's personnel, not users: each realm holds the staff of
// the operator that runs it (written to every realm of that operator by
// `reelm staff add`). A realm never holds another operator's staff, so another
// operator's token finds nothing here — the boundary is structural.
//
// staff_access_log is a signed hash chain (audit-chain.ts): each entry's hash
// covers the previous hash and the entry's own content hash, and is signed with
// a key kept outside the data directory. Redaction (when the person has moved or
// deleted their account) clears the content but keeps the content hash, and is
// itself recorded as a signed entry, so the chain still verifies.

export type StaffRole = 'support' | 'moderator' | 'administrator';

export interface StaffTable {
  id: string;
  operator: string;
  name: string;
  role: StaffRole;
  token_hash: string;
  created_at: number;
  disabled_at: number | null;
}

export interface StaffAccessLogTable {
  seq: number;
  id: string;
  at: number;
  staff_id: string | null;
  staff_name: string | null;
  staff_role: string | null;
  operator: string | null;
  subject_id: string | null;
  action: string | null;
  /** JSON array of the field names read */
  fields: string | null;
  justification: string | null;
  content_hash: string;
  prev_hash: string;
  hash: string;
  redacted_at: number | null;
  /** Ed25519 signature of (realm, seq, hash) under the audit signing key (audit-key.ts) */
  signature: string | null;
}

export interface AuditChainHeadTable {
  chain: string;
  seq: number;
  hash: string;
}

export interface StaffTables {
  staff: StaffTable;
  staff_access_log: StaffAccessLogTable;
  audit_chain_head: AuditChainHeadTable;
}

export const staffTables = defineTables([
  {
    name: 'staff',
    kind: 'system',
    purpose: 'staff accounts of the operator running this realm (support, moderator, administrator)',
    columns: {
      id: 'operational',
      operator: 'operational',
      name: 'protected',
      role: 'operational',
      token_hash: 'protected',
      created_at: 'operational',
      disabled_at: 'operational',
    },
  },
  {
    name: 'staff_access_log',
    kind: 'system',
    personColumns: ['subject_id'],
    purpose: 'hash-chained record of every staff read of a resident’s protected data; shown to that person',
    columns: {
      seq: 'operational',
      id: 'operational',
      at: 'operational',
      staff_id: 'operational',
      staff_name: 'protected',
      staff_role: 'operational',
      operator: 'operational',
      subject_id: 'operational',
      action: 'operational',
      fields: 'operational',
      justification: 'protected',
      content_hash: 'operational',
      prev_hash: 'operational',
      hash: 'operational',
      redacted_at: 'operational',
      signature: 'operational',
    },
  },
  {
    name: 'audit_chain_head',
    kind: 'system',
    purpose: 'the last sequence number and hash of the access log (detects deletion of the newest entries)',
    columns: { chain: 'operational', seq: 'operational', hash: 'operational' },
  },
]);

export const staffMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('staff')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('operator', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('disabled_at', 'bigint')
      .execute();
    await db.schema
      .createTable('staff_access_log')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('staff_id', 'text')
      .addColumn('staff_name', 'text')
      .addColumn('staff_role', 'text')
      .addColumn('operator', 'text')
      .addColumn('subject_id', 'text')
      .addColumn('action', 'text')
      .addColumn('fields', 'text')
      .addColumn('justification', 'text')
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('redacted_at', 'bigint')
      .execute();
    await db.schema.createIndex('staff_access_log_subject').on('staff_access_log').columns(['subject_id', 'seq']).execute();
    await db.schema
      .createTable('audit_chain_head')
      .addColumn('chain', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Entries signed with the audit key (Ed25519), so the chain cannot be re-made from the data files alone. */
export const staffSignatureMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('staff_access_log').addColumn('signature', 'text').execute();
  },
};
