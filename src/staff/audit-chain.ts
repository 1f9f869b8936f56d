import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Transaction } from 'kysely';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { StaffAccessLogTable } from './schema.ts';
import { realmLogPath } from '../residency/realm-log.ts';

// The staff access log of a realm, a keyed hash chain:
//   content_hash = HMAC(k, canonical content)      hash = HMAC(k, prev_hash ‖ content_hash)
// with k derived from the server secret, so editing a row and recomputing a
// plain hash does not pass. Deleting a middle entry breaks the sequence and the
// links; deleting the newest ones is caught by the head row and by the head
// witnessed in the realm log after each append.

const CHAIN = 'staff_access';
const GENESIS = 'genesis';

export interface AccessEntryInput {
  staffId: string;
  staffName: string;
  staffRole: string;
  operator: string;
  subjectId: string;
  action: string;
  fields: string[];
  justification: string;
}

function chainKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('reelm-audit-chain-v1').digest();
}

function hmac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

function contentOf(r: Omit<StaffAccessLogTable, 'content_hash' | 'prev_hash' | 'hash' | 'redacted_at'>): string {
  return JSON.stringify([
    Number(r.seq),
    r.id,
    Number(r.at),
    r.staff_id,
    r.staff_name,
    r.staff_role,
    r.operator,
    r.subject_id,
    r.action,
    r.fields,
    r.justification,
  ]);
}

/** Appends one entry inside the caller's transaction; returns its seq and hash. */
export async function appendAccess(
  store: RealmStore,
  trx: Transaction<RealmDatabase>,
  secret: string,
  e: AccessEntryInput,
): Promise<{ seq: number; hash: string }> {
  const key = chainKey(secret);
  await trx
    .insertInto('audit_chain_head')
    .values({ chain: CHAIN, seq: 0, hash: GENESIS })
    .onConflict((oc) => oc.column('chain').doNothing())
    .execute();
  const head = await trx
    .selectFrom('audit_chain_head')
    .selectAll()
    .where('chain', '=', CHAIN)
    .$if(store.dialect === 'postgres', (q) => q.forUpdate())
    .executeTakeFirstOrThrow();
  const row = {
    seq: Number(head.seq) + 1,
    id: newId(),
    at: Date.now(),
    staff_id: e.staffId,
    staff_name: e.staffName,
    staff_role: e.staffRole,
    operator: e.operator,
    subject_id: e.subjectId,
    action: e.action,
    fields: JSON.stringify(e.fields),
    justification: e.justification,
  };
  const content_hash = hmac(key, contentOf(row));
  const hash = hmac(key, `${head.hash}\n${content_hash}`);
  await trx
    .insertInto('staff_access_log')
    .values({ ...row, content_hash, prev_hash: head.hash, hash, redacted_at: null })
    .execute();
  await trx.updateTable('audit_chain_head').set({ seq: row.seq, hash }).where('chain', '=', CHAIN).execute();
  return { seq: row.seq, hash };
}

/**
 * When a person leaves the realm (move or deletion): clears the content of
 * their entries but keeps the hashes, so the chain still verifies.
 */
export async function redactSubject(trx: Transaction<RealmDatabase>, subjectId: string) {
  await trx
    .updateTable('staff_access_log')
    .set({
      staff_id: null,
      staff_name: null,
      staff_role: null,
      operator: null,
      subject_id: null,
      action: null,
      fields: null,
      justification: null,
      redacted_at: Date.now(),
    })
    .where('subject_id', '=', subjectId)
    .execute();
}

export interface ChainReport {
  realm: string;
  entries: number;
  redacted: number;
  problems: string[];
}

export async function verifyChain(store: RealmStore, secret: string): Promise<ChainReport> {
  const key = chainKey(secret);
  const problems: string[] = [];
  const rows = await store.db.selectFrom('staff_access_log').selectAll().orderBy('seq').execute();
  let prev = GENESIS;
  let expectSeq = 1;
  let redacted = 0;
  for (const r of rows) {
    const seq = Number(r.seq);
    if (seq !== expectSeq) problems.push(`entry ${expectSeq}${seq > expectSeq + 1 ? `–${seq - 1}` : ''} is missing (deleted)`);
    if (r.prev_hash !== prev) problems.push(`entry ${seq} does not link to the entry before it`);
    if (r.redacted_at === null) {
      if (hmac(key, contentOf(r)) !== r.content_hash) problems.push(`entry ${seq} was edited (content does not match its hash)`);
    } else redacted++;
    if (hmac(key, `${r.prev_hash}\n${r.content_hash}`) !== r.hash) problems.push(`entry ${seq} has a forged hash`);
    prev = r.hash;
    expectSeq = seq + 1;
  }
  const lastSeq = expectSeq - 1;
  const head = await store.db.selectFrom('audit_chain_head').selectAll().where('chain', '=', CHAIN).executeTakeFirst();
  const headSeq = head ? Number(head.seq) : 0;
  if (headSeq !== lastSeq || (head && head.hash !== prev))
    problems.push(`the chain head says ${headSeq} entries but the log ends at ${lastSeq} (newest entries deleted or head edited)`);
  const witnessed = witnessedHead(store);
  if (witnessed && (witnessed.seq > lastSeq || rows.find((r) => Number(r.seq) === witnessed.seq)?.hash !== witnessed.hash)) {
    problems.push(`the realm log witnessed entry ${witnessed.seq}, which the database no longer holds unchanged`);
  }
  return { realm: store.name, entries: rows.length, redacted, problems };
}

/** The newest chain head written to the realm log (an independent witness of the chain's length). */
function witnessedHead(store: RealmStore): { seq: number; hash: string } | undefined {
  let text: string;
  try {
    text = readFileSync(realmLogPath(store.manifest), 'utf8');
  } catch {
    return undefined;
  }
  let best: { seq: number; hash: string } | undefined;
  for (const line of text.split('\n')) {
    if (!line.includes('"audit_chain_head"')) continue;
    try {
      const e = JSON.parse(line) as { event: string; seq: number; hash: string };
      if (e.event === 'audit_chain_head' && (!best || e.seq > best.seq)) best = { seq: e.seq, hash: e.hash };
    } catch {
      /* a torn last line after a crash */
    }
  }
  return best;
}
