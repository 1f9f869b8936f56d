import { sql, type Kysely } from 'kysely';
import type { Reelm } from '../context.ts';
import { DIRECTORY_COLUMN_ALLOWLIST } from '../directory/directory.ts';
import { dialectOf } from '../realm/database.ts';
import { defineTables, type TableSpec } from '../realm/tables.ts';

// R1/R2 schema check: what the databases actually contain, compared with what
// the registry declares. Introspects the live schema (not the migrations), so a
// table created by hand, by a stray migration or by an extension is caught too.

/** Tables that the migration framework creates in every realm store. Declared, not ignored. */
export const frameworkTables = defineTables([
  {
    name: 'kysely_migration',
    kind: 'system',
    purpose: 'names of the migrations applied to this store',
    columns: { name: 'operational', timestamp: 'operational' },
  },
  {
    name: 'kysely_migration_lock',
    kind: 'system',
    purpose: 'the migration lock row',
    columns: { id: 'operational', is_locked: 'operational' },
  },
]);

/** The directory's own migration bookkeeping (its migrator uses these names). */
const directorySystemTables: Record<string, readonly string[]> = {
  directory_migrations: ['name', 'timestamp'],
  directory_migrations_lock: ['id', 'is_locked'],
};

/** SQLite's internal tables (never hold application data); anything else named sqlite_* is a finding. */
const SQLITE_INTERNAL = new Set(['sqlite_sequence', 'sqlite_stat1', 'sqlite_stat2', 'sqlite_stat3', 'sqlite_stat4']);

/** Shadow tables that SQLite full-text modules create next to a virtual table; they hold the same data as it. */
const FTS_SHADOW_SUFFIXES: Record<string, readonly string[]> = {
  fts5: ['_data', '_idx', '_content', '_docsize', '_config'],
  fts4: ['_content', '_segments', '_segdir', '_docsize', '_stat'],
  fts3: ['_content', '_segments', '_segdir'],
};

export type FindingKind =
  'unclassified_table' | 'unclassified_column' | 'missing_table' | 'missing_column' | 'directory_column_not_allowed' | 'directory_table_not_allowed';

export interface ClassificationFinding {
  store: string;
  kind: FindingKind;
  table: string;
  column?: string;
  message: string;
}

interface LiveTable {
  name: string;
  columns: string[];
}

async function liveTables(db: Kysely<any>): Promise<{ tables: LiveTable[]; internal: string[]; shadows: Map<string, string> }> {
  const meta = await db.introspection.getTables({ withInternalKyselyTables: true });
  const tables = meta.map((t) => ({ name: t.name, columns: t.columns.map((c) => c.name) }));
  const internal: string[] = [];
  const shadows = new Map<string, string>(); // shadow table → its virtual table
  if (dialectOf(db) === 'sqlite') {
    const rows = await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_master where type = 'table'`.execute(db);
    for (const r of rows.rows) {
      if (r.name.startsWith('sqlite_')) internal.push(r.name);
      const m = /^CREATE VIRTUAL TABLE\s+["`]?(\w+)["`]?\s+USING\s+(fts[345])/i.exec(r.sql ?? '');
      if (m) for (const suffix of FTS_SHADOW_SUFFIXES[m[2]!.toLowerCase()]!) shadows.set(`${m[1]}${suffix}`, m[1]!);
    }
  }
  return { tables, internal, shadows };
}

/** Compares one realm database with the registry. */
export async function checkRealmSchema(storeName: string, db: Kysely<any>, declared: readonly TableSpec[]): Promise<ClassificationFinding[]> {
  const findings: ClassificationFinding[] = [];
  const specs = new Map([...declared, ...frameworkTables].map((t) => [t.name, t]));
  const { tables, internal, shadows } = await liveTables(db);
  for (const name of internal) {
    if (!SQLITE_INTERNAL.has(name))
      findings.push({ store: storeName, kind: 'unclassified_table', table: name, message: `SQLite table ${name} is not a known SQLite internal table` });
  }
  const seen = new Set<string>();
  for (const t of tables) {
    const owner = shadows.get(t.name);
    if (owner) {
      // A full-text shadow table is classified by its virtual table, which must itself be declared.
      if (!specs.has(owner))
        findings.push({
          store: storeName,
          kind: 'unclassified_table',
          table: t.name,
          message: `full-text shadow table ${t.name} belongs to ${owner}, which is not in the registry`,
        });
      continue;
    }
    seen.add(t.name);
    const spec = specs.get(t.name);
    if (!spec) {
      findings.push({
        store: storeName,
        kind: 'unclassified_table',
        table: t.name,
        message: `table ${t.name} is not in the classification registry (a module's tables, src/composition.ts)`,
      });
      continue;
    }
    for (const c of t.columns) {
      if (!(c in spec.columns))
        findings.push({ store: storeName, kind: 'unclassified_column', table: t.name, column: c, message: `column ${t.name}.${c} is not classified` });
    }
    for (const c of Object.keys(spec.columns)) {
      if (!t.columns.includes(c))
        findings.push({
          store: storeName,
          kind: 'missing_column',
          table: t.name,
          column: c,
          message: `column ${t.name}.${c} is classified but does not exist`,
        });
    }
  }
  for (const spec of declared) {
    if (!seen.has(spec.name))
      findings.push({ store: storeName, kind: 'missing_table', table: spec.name, message: `table ${spec.name} is in the registry but not in the database` });
  }
  return findings;
}

/** R2: the directory holds its allowlisted columns and nothing else. */
export async function checkDirectorySchema(db: Kysely<any>): Promise<ClassificationFinding[]> {
  const findings: ClassificationFinding[] = [];
  const allow: Record<string, readonly string[]> = { ...DIRECTORY_COLUMN_ALLOWLIST, ...directorySystemTables };
  const { tables, internal } = await liveTables(db);
  for (const name of internal) {
    if (!SQLITE_INTERNAL.has(name))
      findings.push({
        store: 'directory',
        kind: 'directory_table_not_allowed',
        table: name,
        message: `SQLite table ${name} in the directory is not a known internal table`,
      });
  }
  for (const t of tables) {
    const allowed = allow[t.name];
    if (!allowed) {
      findings.push({ store: 'directory', kind: 'directory_table_not_allowed', table: t.name, message: `the directory may not hold table ${t.name}` });
      continue;
    }
    for (const c of t.columns) {
      if (!allowed.includes(c))
        findings.push({
          store: 'directory',
          kind: 'directory_column_not_allowed',
          table: t.name,
          column: c,
          message: `directory column ${t.name}.${c} is not on the allowlist`,
        });
    }
  }
  return findings;
}

/** Every realm store open in this process, and the directory. */
export async function checkClassification(reelm: Reelm): Promise<ClassificationFinding[]> {
  const out: ClassificationFinding[] = [];
  for (const store of reelm.realms.all()) out.push(...(await checkRealmSchema(store.name, store.db, store.schema.tables)));
  out.push(...(await checkDirectorySchema(reelm.directory.db)));
  return out;
}
