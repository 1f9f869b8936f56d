import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { ownerPrefix } from '../blobs/blob-store.ts';
import type { RealmStore } from '../realm/store.ts';
import type { TableSpec } from '../realm/tables.ts';

// Everything a realm holds of one person, enumerated from the table registry
// rather than from a hand-kept list, so a part that adds a resident table is
// covered without anyone remembering to (test/rights/person-data.test.ts):
//  • records    — every row of every resident table whose owner column names them;
//  • references — rows of other tables (replicas, system tables, other residents'
//                 rows) naming them in a declared `personColumns` column: public
//                 copies of their posts and engagement, edges to them, staff reads;
//  • blobs      — every file under their owner prefix (users/<id>/: originals,
//                 renditions, posters, sounds, avatar), with SHA-256 and size;
//  • archives   — their "download your data" archives (exports/<id>/).
// Export (P1), deletion (P3), import (P2) and moves all read this one list.

export type PersonRow = Record<string, unknown>;

export interface PersonBlob {
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
}

export interface PersonData {
  readonly realm: string;
  readonly userId: string;
  /** resident table → the person's rows (every resident table of the registry is a key, possibly empty) */
  readonly records: Record<string, PersonRow[]>;
  /** table → rows not owned by the person that name them in a person column */
  readonly references: Record<string, PersonRow[]>;
  readonly blobs: PersonBlob[];
  /** keys of the person's export archives (not part of their data: an archive of it) */
  readonly archives: string[];
}

/** Where a person's export archives live in their realm's blob store (the manifest's export prefix). */
export function archivePrefix(store: RealmStore, userId: string): string {
  return `${store.manifest.exports.blobPrefix}${userId}/`;
}

export function residentTables(store: RealmStore): TableSpec[] {
  return store.schema.tables.filter((t) => t.kind === 'resident');
}

/** Tables with columns naming a person other than their owner. */
export function referencingTables(store: RealmStore): TableSpec[] {
  return store.schema.tables.filter((t) => (t.personColumns ?? []).length > 0);
}

export interface CollectOptions {
  /** compute SHA-256 of every blob (default true; false lists keys and sizes only) */
  hashBlobs?: boolean;
}

export async function collectPersonData(store: RealmStore, userId: string, opts: CollectOptions = {}): Promise<PersonData> {
  const records: Record<string, PersonRow[]> = {};
  for (const t of residentTables(store)) records[t.name] = await ownedRows(store, t, userId);
  const references: Record<string, PersonRow[]> = {};
  for (const t of referencingTables(store)) {
    const rows = await referencingRows(store, t, userId);
    if (rows.length) references[t.name] = rows;
  }
  const blobs = await personBlobs(store, userId, opts.hashBlobs ?? true);
  const archives: string[] = [];
  for await (const b of store.blobs.list(archivePrefix(store, userId))) archives.push(b.key);
  return { realm: store.name, userId, records, references, blobs, archives: archives.sort() };
}

async function ownedRows(store: RealmStore, t: TableSpec, userId: string): Promise<PersonRow[]> {
  const rows = await (store.db as any).selectFrom(t.name).selectAll().where(t.ownerColumn!, '=', userId).execute();
  return rows.map(plainRow);
}

async function referencingRows(store: RealmStore, t: TableSpec, userId: string): Promise<PersonRow[]> {
  const cols = t.personColumns ?? [];
  let q = (store.db as any).selectFrom(t.name).selectAll();
  q = q.where((eb: any) => eb.or(cols.map((c) => eb(c, '=', userId))));
  // Rows they own are already records.
  if (t.ownerColumn) q = q.where(sql.ref(t.ownerColumn), '!=', userId);
  return (await q.execute()).map(plainRow);
}

async function personBlobs(store: RealmStore, userId: string, hash: boolean): Promise<PersonBlob[]> {
  const out: PersonBlob[] = [];
  for await (const b of store.blobs.list(ownerPrefix(userId))) {
    out.push({ key: b.key, size: b.size, sha256: hash ? await blobSha256(store, b.key) : '' });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export async function blobSha256(store: RealmStore, key: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of await store.blobs.get(key)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Database values as plain JSON values, the same on both lanes (bigint → number, bytes → base64). */
function plainRow(row: Record<string, unknown>): PersonRow {
  const out: PersonRow = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = Number(v);
    else if (v instanceof Uint8Array) out[k] = Buffer.from(v).toString('base64');
    else if (v instanceof Date) out[k] = v.getTime();
    else out[k] = v;
  }
  return out;
}

export interface CanonicalOptions {
  /** tables left out of the comparison (e.g. sessions, which an import does not carry) */
  omitTables?: readonly string[];
  /** table → columns left out (values that legitimately differ, e.g. a job's lease) */
  omitColumns?: Readonly<Record<string, readonly string[]>>;
  /** also compare references (default false: they are other realms' and people's rows) */
  withReferences?: boolean;
}

/**
 * A canonical, order-independent text of a person's data: tables by name, each
 * row's keys sorted, rows sorted by their own canonical text, blobs by key as
 * [key, sha256, size]. Two collections are equal exactly when these are equal.
 */
export function canonicalPersonData(d: Pick<PersonData, 'records' | 'blobs'> & Partial<Pick<PersonData, 'references'>>, opts: CanonicalOptions = {}): string {
  const tables = (src: Record<string, PersonRow[]>) => {
    const out: [string, string[]][] = [];
    for (const name of Object.keys(src).sort()) {
      if (opts.omitTables?.includes(name)) continue;
      const omit = new Set(opts.omitColumns?.[name] ?? []);
      out.push([name, src[name]!.map((r) => canonicalJson(r, omit)).sort()]);
    }
    return out;
  };
  return JSON.stringify({
    records: tables(d.records),
    ...(opts.withReferences ? { references: tables(d.references ?? {}) } : {}),
    blobs: d.blobs.map((b) => [b.key, b.sha256, b.size]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
  });
}

export function personDataDigest(d: Parameters<typeof canonicalPersonData>[0], opts: CanonicalOptions = {}): string {
  return createHash('sha256').update(canonicalPersonData(d, opts)).digest('hex');
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown, omitTop: ReadonlySet<string> = new Set()): string {
  return JSON.stringify(sortKeys(value, omitTop));
}

function sortKeys(v: unknown, omit: ReadonlySet<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => sortKeys(x, new Set()));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (!omit.has(k)) out[k] = sortKeys((v as Record<string, unknown>)[k], new Set());
    return out;
  }
  return v;
}

/** How many rows and files a collection holds (for reports and the zero-left check after a deletion or move). */
export function countPersonData(d: PersonData): { rows: number; references: number; blobs: number; archives: number } {
  const sum = (r: Record<string, PersonRow[]>) => Object.values(r).reduce((n, rows) => n + rows.length, 0);
  return { rows: sum(d.records), references: sum(d.references), blobs: d.blobs.length, archives: d.archives.length };
}
