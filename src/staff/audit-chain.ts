import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Transaction } from 'kysely';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { StaffAccessLogTable } from './schema.ts';
import { realmLogPath } from '../residency/realm-log.ts';
import { signText, verifyText, type AuditKey } from './audit-key.ts';

// The staff access log of a realm, a signed hash chain:
//   content_hash = SHA-256(canonical content)   hash = SHA-256(prev_hash ‖ content_hash)
//   signature    = Ed25519(realm, seq, hash) under the audit signing key
// The signing key lives outside the data directory (audit-key.ts), so whoever
// holds the database can recompute hashes but cannot sign them; anyone with
// the public key can verify. Deleting a middle entry breaks the sequence and
// the links; deleting the newest ones is caught by signed heads saved outside
// (GET /api/v1/realms/{realm}/audit-head, `audit-log verify --against`), the
// head row, and the head witnessed in the realm log.
// A redaction is itself a signed entry naming the entries it blanked; a
// blanked entry without one is tampering.

const CHAIN = 'staff_access';
const GENESIS = 'genesis';
export const REDACT_ACTION = 'redact_departed_person';

export interface AccessEntryInput {
  staffId: string | null;
  staffName: string | null;
  staffRole: string | null;
  operator: string | null;
  subjectId: string | null;
  action: string;
  fields: (string | number)[];
  justification: string;
}

type EntryRow = Omit<StaffAccessLogTable, 'content_hash' | 'prev_hash' | 'hash' | 'redacted_at' | 'signature'>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function contentOf(r: EntryRow): string {
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

const entryStatement = (realm: string, seq: number, hash: string) => `reelm-audit-entry-v2\n${realm}\n${seq}\n${hash}`;
const headStatement = (realm: string, seq: number, hash: string, signedAt: string) => `reelm-audit-head-v2\n${realm}\n${seq}\n${hash}\n${signedAt}`;

/** Appends one entry inside the caller's transaction; returns its seq and hash. */
export async function appendAccess(
  store: RealmStore,
  trx: Transaction<RealmDatabase>,
  key: AuditKey,
  e: AccessEntryInput,
): Promise<{ seq: number; hash: string }> {
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
  const row: EntryRow = {
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
  const content_hash = sha256(contentOf(row));
  const hash = sha256(`${head.hash}\n${content_hash}`);
  const signature = signText(key, entryStatement(store.name, row.seq, hash));
  await trx
    .insertInto('staff_access_log')
    .values({ ...row, content_hash, prev_hash: head.hash, hash, redacted_at: null, signature })
    .execute();
  await trx.updateTable('audit_chain_head').set({ seq: row.seq, hash }).where('chain', '=', CHAIN).execute();
  return { seq: row.seq, hash };
}

export class RedactionRefused extends Error {}

/**
 * When a person has left the realm (moved or deleted — their users row is gone):
 * blanks the content of their entries, keeping the hashes, and appends a signed
 * redaction entry listing the blanked entries, so the chain still verifies and
 * the redaction itself is on record. Refused while the person still lives here.
 */
export async function redactSubject(store: RealmStore, trx: Transaction<RealmDatabase>, key: AuditKey, subjectId: string): Promise<number[]> {
  if (await trx.selectFrom('users').select('id').where('id', '=', subjectId).executeTakeFirst())
    throw new RedactionRefused(`${subjectId} still lives in realm ${store.name}; only the entries of a person who left can be redacted`);
  const seqs = (await trx.selectFrom('staff_access_log').select('seq').where('subject_id', '=', subjectId).orderBy('seq').execute()).map((r) => Number(r.seq));
  if (seqs.length === 0) return [];
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
  await appendAccess(store, trx, key, {
    staffId: null,
    staffName: null,
    staffRole: null,
    operator: store.info.operator,
    subjectId: null,
    action: REDACT_ACTION,
    fields: seqs,
    justification: 'The person left this realm; their entries were blanked, their hashes kept.',
  });
  return seqs;
}

export interface SignedHead {
  realm: string;
  seq: number;
  hash: string;
  signedAt: string;
  signature: string;
  publicKey: string;
}

/** The realm's current chain head, signed now: what a person or an outside auditor saves. */
export async function signedHead(store: RealmStore, key: AuditKey): Promise<SignedHead> {
  const head = await store.db.selectFrom('audit_chain_head').select(['seq', 'hash']).where('chain', '=', CHAIN).executeTakeFirst();
  const seq = head ? Number(head.seq) : 0;
  const hash = head?.hash ?? GENESIS;
  const signedAt = new Date().toISOString();
  return { realm: store.name, seq, hash, signedAt, signature: signText(key, headStatement(store.name, seq, hash, signedAt)), publicKey: key.publicKeyId };
}

/** True when the head was signed by this key (the public key is enough). */
export function headSignatureValid(head: SignedHead, key: AuditKey): boolean {
  return head.publicKey === key.publicKeyId && verifyText(key, headStatement(head.realm, Number(head.seq), head.hash, head.signedAt), head.signature);
}

export interface ChainReport {
  realm: string;
  entries: number;
  redacted: number;
  problems: string[];
}

/** Verifies a realm's chain with the public key alone; `against` are heads saved earlier. */
export async function verifyChain(store: RealmStore, key: AuditKey, against: SignedHead[] = []): Promise<ChainReport> {
  const problems: string[] = [];
  const rows = await store.db.selectFrom('staff_access_log').selectAll().orderBy('seq').execute();
  let prev = GENESIS;
  let expectSeq = 1;
  const blanked: number[] = [];
  const recorded = new Set<number>();
  const bySeq = new Map<number, string>();
  for (const r of rows) {
    const seq = Number(r.seq);
    bySeq.set(seq, r.hash);
    if (seq !== expectSeq) problems.push(`entry ${expectSeq}${seq > expectSeq + 1 ? `–${seq - 1}` : ''} is missing (deleted)`);
    if (r.prev_hash !== prev) problems.push(`entry ${seq} does not link to the entry before it`);
    if (r.redacted_at === null && r.action !== null) {
      if (sha256(contentOf(r)) !== r.content_hash) problems.push(`entry ${seq} was edited (content does not match its hash)`);
      else if (r.action === REDACT_ACTION) for (const s of JSON.parse(r.fields ?? '[]') as number[]) if (s < seq) recorded.add(s);
    } else blanked.push(seq);
    if (sha256(`${r.prev_hash}\n${r.content_hash}`) !== r.hash) problems.push(`entry ${seq} has a forged hash`);
    if (!r.signature || !verifyText(key, entryStatement(store.name, seq, r.hash), r.signature))
      problems.push(`entry ${seq} is not signed by the realm's audit key`);
    prev = r.hash;
    expectSeq = seq + 1;
  }
  for (const s of blanked) if (!recorded.has(s)) problems.push(`entry ${s} was blanked without a signed redaction entry`);
  const lastSeq = expectSeq - 1;
  const head = await store.db.selectFrom('audit_chain_head').selectAll().where('chain', '=', CHAIN).executeTakeFirst();
  const headSeq = head ? Number(head.seq) : 0;
  if (headSeq !== lastSeq || (head && head.hash !== prev))
    problems.push(`the chain head says ${headSeq} entries but the log ends at ${lastSeq} (newest entries deleted or head edited)`);
  const witnessed = witnessedHead(store);
  if (witnessed && (witnessed.seq > lastSeq || bySeq.get(witnessed.seq) !== witnessed.hash)) {
    problems.push(`the realm log witnessed entry ${witnessed.seq}, which the database no longer holds unchanged`);
  }
  for (const h of against.filter((a) => a.realm === store.name)) {
    if (!headSignatureValid(h, key)) problems.push(`the saved head for entry ${h.seq} is not signed by this realm's audit key`);
    else if (Number(h.seq) > 0 && bySeq.get(Number(h.seq)) !== h.hash)
      problems.push(`the saved head signed at ${h.signedAt} names entry ${h.seq}, which the log no longer holds unchanged (truncated or rewritten)`);
  }
  return { realm: store.name, entries: rows.length, redacted: blanked.length, problems };
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
