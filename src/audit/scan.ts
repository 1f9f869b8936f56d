import { sql } from 'kysely';
import type { Reelm } from '../context.ts';
import { checkFlowMessage, FlowRefused } from '../flows/validate.ts';
import type { RealmStore } from '../realm/store.ts';
import { checkDirectorySchema, checkRealmSchema } from '../residency/classification.ts';
import { blobOwnerRules, blobReferenceChecks } from './blob-rules.ts';
import { auditPeople, auditProtectedText } from './cross-checks.ts';

// `reelm audit`: every table and every blob store of every realm, checked for
// data outside its home realm, unclassified schema, and orphaned files.

export type AuditFindingKind =
  | 'unclassified_table'
  | 'unclassified_column'
  | 'missing_table'
  | 'missing_column'
  | 'directory_table_not_allowed'
  | 'directory_column_not_allowed'
  | 'person_not_homed_here'
  | 'row_of_non_resident'
  | 'flow_payload_not_declared'
  | 'blob_of_non_resident'
  | 'blob_without_owner'
  | 'blob_unreferenced'
  | 'directory_dangling'
  | 'person_not_routed_here'
  | 'person_email_not_theirs'
  | 'protected_value_in_text';

export interface AuditFinding {
  realm: string;
  kind: AuditFindingKind;
  table?: string;
  key?: string;
  count?: number;
  sample?: string[];
  message: string;
}

export interface AuditReport {
  findings: AuditFinding[];
  realms: { realm: string; tables: number; rows: number; files: number; bytes: number }[];
  rows: number;
  files: number;
  seconds: number;
}

const SAMPLE = 5;

/** Every realm this process serves and the directory; or only the given realms (an operator's staff see their own, not the shared directory). */
export async function auditReelm(reelm: Reelm, only?: RealmStore[]): Promise<AuditReport> {
  const started = performance.now();
  const findings: AuditFinding[] = [];
  const realms: AuditReport['realms'] = [];
  for (const store of only ?? reelm.realms.all()) {
    const tables = await auditTables(store, findings);
    const blobs = await auditBlobs(reelm, store, findings);
    await auditDirectory(reelm, store, findings);
    await auditPeople(reelm, store, findings);
    await auditProtectedText(reelm, store, findings);
    realms.push({ realm: store.name, tables: tables.tables, rows: tables.rows, files: blobs.files, bytes: blobs.bytes });
  }
  if (!only)
    for (const f of await checkDirectorySchema(reelm.directory.db)) findings.push({ realm: 'directory', kind: f.kind, table: f.table, message: f.message });
  return {
    findings,
    realms,
    rows: realms.reduce((a, r) => a + r.rows, 0),
    files: realms.reduce((a, r) => a + r.files, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

async function auditTables(store: RealmStore, findings: AuditFinding[]) {
  for (const f of await checkRealmSchema(store.name, store.db, store.schema.tables))
    findings.push({ realm: store.name, kind: f.kind, table: f.table, message: f.message });
  let rows = 0;
  const live = new Set((await store.db.introspection.getTables()).map((t) => t.name));
  for (const t of store.schema.tables) {
    if (!live.has(t.name)) continue;
    const n = Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(t.name)}`.execute(store.db)).rows[0]!.n);
    rows += n;
    if (t.kind !== 'resident') continue;
    if (t.name === 'users') {
      // The guard refuses these writes; the audit catches rows that predate it or bypassed it (e.g. a restored backup).
      const bad = await sql<{
        id: string;
      }>`select id from users where home_realm <> (select realm from realm_meta) or country not in (select country from realm_countries)`.execute(store.db);
      if (bad.rows.length)
        findings.push({
          realm: store.name,
          kind: 'person_not_homed_here',
          table: 'users',
          count: bad.rows.length,
          sample: bad.rows.slice(0, SAMPLE).map((r) => r.id),
          message: `${bad.rows.length} people in ${store.name}'s users table have another home realm`,
        });
      continue;
    }
    const owner = t.ownerColumn!;
    const bad = await sql<{
      owner: string;
      n: number;
    }>`select ${sql.ref(owner)} as owner, count(*) as n from ${sql.table(t.name)} t where not exists (select 1 from users u where u.id = t.${sql.ref(owner)}) group by ${sql.ref(owner)}`.execute(
      store.db,
    );
    if (bad.rows.length) {
      const count = bad.rows.reduce((a, r) => a + Number(r.n), 0);
      findings.push({
        realm: store.name,
        kind: 'row_of_non_resident',
        table: t.name,
        count,
        sample: bad.rows.slice(0, SAMPLE).map((r) => r.owner),
        message: `${count} ${t.name} rows belong to people who are not residents of ${store.name}`,
      });
    }
  }
  // Pending outbox messages must still match the flow table (nothing undeclared waiting to leave).
  const pending = await store.db.selectFrom('flow_outbox').select(['id', 'flow', 'payload']).where('state', '=', 'pending').execute();
  for (const m of pending) {
    try {
      checkFlowMessage(store.flows, m.flow, JSON.parse(m.payload));
    } catch (err) {
      if (!(err instanceof FlowRefused)) throw err;
      findings.push({
        realm: store.name,
        kind: 'flow_payload_not_declared',
        table: 'flow_outbox',
        key: m.id,
        message: `outbox message ${m.id} (${m.flow}) is not allowed to leave: ${err.reason}`,
      });
    }
  }
  return { tables: live.size, rows };
}

async function auditBlobs(reelm: Reelm, store: RealmStore, findings: AuditFinding[]) {
  let files = 0;
  let bytes = 0;
  const residents = new Set<string>();
  for (const r of await store.db.selectFrom('users').select('id').execute()) residents.add(r.id);
  const foreign = new Map<string, string[]>();
  const checkable = new Map<(typeof blobReferenceChecks)[number], string[]>();
  for await (const b of store.blobs.list('')) {
    files++;
    bytes += b.size;
    const rule = blobOwnerRules.find((r) => b.key.startsWith(r.prefix));
    if (!rule) {
      findings.push({
        realm: store.name,
        kind: 'blob_without_owner',
        key: b.key,
        message: `blob ${b.key} is under no known prefix (${blobOwnerRules.map((r) => r.prefix).join(', ')})`,
      });
      continue;
    }
    const owner = rule.ownerOf(b.key);
    if (!owner) {
      findings.push({ realm: store.name, kind: 'blob_without_owner', key: b.key, message: `blob ${b.key} names no owner` });
      continue;
    }
    if (!residents.has(owner)) {
      const list = foreign.get(owner) ?? [];
      list.push(b.key);
      foreign.set(owner, list);
      continue;
    }
    for (const c of blobReferenceChecks) {
      if (c.applies(b.key)) checkable.set(c, [...(checkable.get(c) ?? []), b.key]);
    }
  }
  for (const [owner, keys] of foreign) {
    const home = (await reelm.directory.byUserId(owner))?.realm;
    findings.push({
      realm: store.name,
      kind: 'blob_of_non_resident',
      count: keys.length,
      sample: keys.slice(0, SAMPLE),
      message: `${keys.length} files of ${owner}, ${home ? `whose home is ${home}` : 'who has no account'}, are in ${store.name}`,
    });
  }
  for (const [check, keys] of checkable) {
    const stale = await check.unreferenced(store, keys);
    if (stale.length)
      findings.push({
        realm: store.name,
        kind: 'blob_unreferenced',
        count: stale.length,
        sample: stale.slice(0, SAMPLE),
        message: `${stale.length} ${check.name} files are referenced by no row`,
      });
  }
  return { files, bytes };
}

async function auditDirectory(reelm: Reelm, store: RealmStore, findings: AuditFinding[]) {
  // The directory routes people here; each one it routes must be here (no stale pointer after a move).
  const routed = await reelm.directory.db
    .selectFrom('directory_accounts')
    .select('user_id')
    .where('realm', '=', store.name)
    .where('state', '=', 'active')
    .execute();
  const dangling: string[] = [];
  for (let i = 0; i < routed.length; i += 500) {
    const ids = routed.slice(i, i + 500).map((r) => r.user_id);
    const here = new Set((await store.db.selectFrom('users').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
    dangling.push(...ids.filter((id) => !here.has(id)));
  }
  if (dangling.length)
    findings.push({
      realm: store.name,
      kind: 'directory_dangling',
      count: dangling.length,
      sample: dangling.slice(0, SAMPLE),
      message: `the directory routes ${dangling.length} people to ${store.name}, which does not hold them`,
    });
}
