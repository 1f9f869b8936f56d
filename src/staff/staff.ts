import type { Reelm } from '../context.ts';
import { AppError, badRequest, forbidden, notFound } from '../api/errors.ts';
import { newId, newToken, sha256 } from '../lib/ids.ts';
import type { RealmStore } from '../realm/store.ts';
import { writeRealmLog } from '../residency/realm-log.ts';
import { appendAccess } from './audit-chain.ts';
import type { StaffRole } from './schema.ts';

// Staff of an operator, and the one way they read a person's protected data.

export const STAFF_ROLES: readonly StaffRole[] = ['support', 'moderator', 'administrator'];
/** Moderators act on content, not on account data. */
const MAY_READ_PROTECTED: ReadonlySet<StaffRole> = new Set(['support', 'administrator']);

/**
 * A justification must say something: at least three different words (of two
 * or more letters), or a ticket reference (SUP-1234, #4711, ticket 4711).
 * "aaaaaaaaaa" or "because" is not a reason.
 */
export function isMeaningfulJustification(text: string): boolean {
  const words = new Set(text.toLowerCase().match(/\p{L}{2,}/gu) ?? []);
  const ticket = /\b[A-Z]{2,10}-\d{1,10}\b|#\d{3,}\b|\bticket\s*#?\d{3,}\b/i.test(text);
  return words.size >= 3 || ticket;
}

/** Checked before the account is looked up, like the justification. */
export function requireMayReadProtected(staff: Staff) {
  if (!MAY_READ_PROTECTED.has(staff.role)) throw forbidden('role_not_allowed', `The ${staff.role} role cannot read account data.`);
}

/** Checked before anything is looked up, so the answer cannot tell whether an account exists. */
export function requireJustification(justification: string | undefined): string {
  const why = (justification ?? '').trim();
  if (!isMeaningfulJustification(why))
    throw badRequest(
      'justification_required',
      "Reading a person's protected data needs a written justification: at least three words saying why, or a ticket reference (e.g. SUP-1234).",
    );
  return why;
}

export interface Staff {
  id: string;
  operator: string;
  name: string;
  role: StaffRole;
}

/** Creates a staff account in every realm the operator runs (that this process can open). Returns the token once. */
export async function addStaff(
  reelm: Reelm,
  input: { operator: string; name: string; role: StaffRole },
): Promise<{ staff: Staff; token: string; realms: string[] }> {
  if (!reelm.policy.operators.has(input.operator)) throw badRequest('unknown_operator', `No operator "${input.operator}" in the residency policy.`);
  if (!STAFF_ROLES.includes(input.role)) throw badRequest('unknown_role', `Role must be one of ${STAFF_ROLES.join(', ')}.`);
  const realms = reelm.policy.realmsOfOperator(input.operator).filter((r) => reelm.realms.has(r));
  if (realms.length === 0) throw badRequest('no_realm', `This process serves no realm of operator "${input.operator}".`);
  const staff: Staff = { id: newId(), operator: input.operator, name: input.name, role: input.role };
  const token = newToken('stf');
  for (const r of realms) {
    await reelm.realms
      .get(r)
      .db.insertInto('staff')
      .values({
        id: staff.id,
        operator: staff.operator,
        name: staff.name,
        role: staff.role,
        token_hash: sha256(token),
        created_at: Date.now(),
        disabled_at: null,
      })
      .execute();
  }
  return { staff, token, realms };
}

async function staffIn(store: RealmStore, tokenHash: string): Promise<Staff | undefined> {
  const s = await store.db
    .selectFrom('staff')
    .select(['id', 'operator', 'name', 'role'])
    .where('token_hash', '=', tokenHash)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return s;
}

/** The staff member a token belongs to, looked up in the realms this process serves. */
export async function staffByToken(reelm: Reelm, token: string): Promise<Staff | undefined> {
  if (!token.startsWith('stf_')) return undefined;
  const h = sha256(token);
  for (const store of reelm.realms.all()) {
    const s = await staffIn(store, h);
    if (s) return s;
  }
  return undefined;
}

/** The staff member of a request's `Authorization: Bearer stf_…` header; 401 otherwise. Never a person's session. */
export async function requireStaffToken(reelm: Reelm, authorization: string | undefined): Promise<Staff> {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
  const staff = token ? await staffByToken(reelm, token) : undefined;
  if (!staff) throw new AppError(401, 'staff_unauthenticated', 'This needs a staff token.');
  return staff;
}

/**
 * The staff member of a request, for work in one realm: staff of the operator running it, with one of
 * `roles`, on record in that realm itself. Another operator's realm is 403 `other_operator`; an unknown one 404.
 */
export async function requireStaffOfRealm(
  reelm: Reelm,
  authorization: string | undefined,
  realm: string,
  roles: ReadonlySet<StaffRole>,
  verb: string,
): Promise<{ staff: Staff; store: RealmStore }> {
  const staff = await requireStaffToken(reelm, authorization);
  if (!reelm.policy.realms.has(realm)) throw notFound('That realm');
  if (reelm.policy.realm(realm).operator !== staff.operator) throw forbidden('other_operator', `Realm ${realm} is run by another operator.`);
  if (!roles.has(staff.role)) throw forbidden('role_not_allowed', `The ${staff.role} role cannot ${verb}.`);
  if (!reelm.realms.has(realm)) throw new AppError(503, 'realm_not_served', `Realm ${realm} is not served by this process.`);
  const store = reelm.realms.get(realm);
  if (!(await isStaffOf(store, staff))) throw forbidden('other_operator', `Staff ${staff.id} is not staff of the operator running realm ${realm}.`);
  return { staff, store };
}

/** Is this staff member on record (and enabled) in this realm? Only the realm's own operator's staff are. */
export async function isStaffOf(store: RealmStore, staff: Staff): Promise<boolean> {
  return !!(await store.db
    .selectFrom('staff')
    .select('id')
    .where('id', '=', staff.id)
    .where('operator', '=', store.info.operator)
    .where('disabled_at', 'is', null)
    .executeTakeFirst());
}

export interface ProtectedRecord {
  id: string;
  handle: string;
  realm: string;
  email: string;
  birthDate: string;
  country: string;
  activeSessions: number;
  accessSeq: number;
}

/**
 * R12: a staff read of a person's protected data. Refused without a written
 * justification, refused across operators, and recorded in the person's realm
 * in the same transaction as the read — no record, no data.
 */
export async function staffRead(reelm: Reelm, staff: Staff, userId: string, justification: string | undefined): Promise<ProtectedRecord> {
  const why = requireJustification(justification);
  requireMayReadProtected(staff);
  const entry = await reelm.directory.byUserId(userId);
  if (!entry) throw notFound('That account');
  const operator = reelm.policy.realm(entry.realm).operator;
  if (operator !== staff.operator) throw forbidden('other_operator', `That account lives in realm ${entry.realm}, run by another operator.`);
  if (!reelm.realms.has(entry.realm)) throw new AppError(503, 'realm_not_served', `Realm ${entry.realm} is not served by this process.`);
  const store = reelm.realms.get(entry.realm);
  // The staff record must exist in the person's realm itself: only its own operator's staff are there.
  if (!(await isStaffOf(store, staff))) {
    throw forbidden('other_operator', `Staff ${staff.id} is not staff of the operator running realm ${store.name}.`);
  }
  const fields = ['email', 'birth_date', 'country', 'sessions'];
  const out = await store.db.transaction().execute(async (trx) => {
    const u = await trx.selectFrom('users').select(['id', 'handle', 'email', 'birth_date', 'country']).where('id', '=', userId).executeTakeFirst();
    if (!u) throw notFound('That account');
    const sessions = await trx
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('expires_at', '>', Date.now())
      .executeTakeFirstOrThrow();
    const link = await appendAccess(store, trx, reelm.auditKey, {
      staffId: staff.id,
      staffName: staff.name,
      staffRole: staff.role,
      operator: staff.operator,
      subjectId: userId,
      action: 'read_protected',
      fields,
      justification: why,
    });
    return { u, sessions: Number(sessions.n), link };
  });
  // Witnessed outside the database too (the realm log); the signed head is published at /realms/{realm}/audit-head.
  writeRealmLog(store.manifest, 'audit_chain_head', { seq: out.link.seq, hash: out.link.hash });
  return {
    id: out.u.id,
    handle: out.u.handle,
    realm: store.name,
    email: out.u.email,
    birthDate: out.u.birth_date,
    country: out.u.country,
    activeSessions: out.sessions,
    accessSeq: out.link.seq,
  };
}

export interface AccessLogItem {
  seq: number;
  hash: string;
  at: string;
  staffId: string;
  staffName: string;
  role: string;
  operator: string;
  action: string;
  fields: string[];
  justification: string;
}

/** What a person sees about staff access to their data. */
export async function accessLogOf(store: RealmStore, userId: string): Promise<AccessLogItem[]> {
  const rows = await store.db.selectFrom('staff_access_log').selectAll().where('subject_id', '=', userId).orderBy('seq', 'desc').execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    hash: r.hash,
    at: new Date(Number(r.at)).toISOString(),
    staffId: r.staff_id ?? '',
    staffName: r.staff_name ?? '',
    role: r.staff_role ?? '',
    operator: r.operator ?? '',
    action: r.action ?? '',
    fields: JSON.parse(r.fields ?? '[]') as string[],
    justification: r.justification ?? '',
  }));
}
