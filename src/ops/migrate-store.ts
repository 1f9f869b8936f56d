import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sql } from 'kysely';
import { z } from 'zod';
import { ownerOfKey } from '../blobs/blob-store.ts';
import { ownerBlobs, putOwnedExport } from '../blobs/resident-blobs.ts';
import { blobSchema, databaseSchema, type ReelmConfig } from '../config/config.ts';
import type { RealmSchema } from '../realm/realm-schema.ts';
import { realmStatus, setRealmState, type RealmStatus } from '../realm/lifecycle.ts';
import { manifestFor, RealmStore, type RealmManifest } from '../realm/store.ts';
import type { TableSpec } from '../realm/tables.ts';
import { ResidencyPolicy } from '../residency/policy.ts';
import { writeRealmLog } from '../residency/realm-log.ts';
import { blobSha256, canonicalPersonData, collectPersonData } from '../rights/person-data.ts';

// `reelm migrate-store <realm> --target <file>`: moves one realm from its embedded stores (SQLite
// file + local blob folder) to a PostgreSQL database and an S3 bucket, then switches the
// configuration over. Steps, each recorded in a state file so that a rerun resumes:
//  1. suspend the source realm (the hold triggers refuse every write, whoever issues it), so the
//     copy is of a store that cannot change;
//  2. open the target with the realm's own migrations and guards, and copy table by table in the
//     registry's order — except that `users` goes first (the residency guard refuses any resident
//     row whose owner is not yet a resident) and `held_people` last (a held person's rows would be
//     refused by the person-hold triggers). The guards stay on: every row is checked as it lands.
//     Each table is one target transaction (delete what an interrupted run left, insert all);
//  3. copy every blob through the owner-scoped writers (a person's file only under their prefix,
//     only if they are a resident of the target) and verify each by size and SHA-256;
//  4. verify: row counts of every table, every person's data (collectPersonData, canonical form,
//     references included) and the set of blobs equal on both sides;
//  5. switch: write the new stores into the configuration file, give the target the realm's
//     state from before the migration, and retire the source (suspended, reason "retired: …").

export class MigrateRefused extends Error {}

export const storeTargetSchema = z.object({
  database: databaseSchema.refine((d) => d.kind === 'postgres', 'the target database must be { "kind": "postgres", "url": … }'),
  blobs: blobSchema.refine((b) => b.kind === 's3', 'the target blob store must be { "kind": "s3", … }'),
});
export type StoreTarget = z.infer<typeof storeTargetSchema>;

/** Where an interrupted run resumes from (in the realm's own folder of the data directory). */
interface MigrationState {
  realm: string;
  /** the target without credentials; a rerun must name the same one */
  target: string;
  phase: 'copying' | 'switched';
  startedAt: string;
  /** the realm's state before the migration suspended it: the target gets it at the switch */
  previous: RealmStatus;
  tablesDone: string[];
  blobsDone: boolean;
  switchedAt?: string;
}

export type MigratePoint = 'suspended' | `table:${string}` | 'blobs' | 'verified' | 'switched';

export interface MigrateOptions {
  /** the configuration file the switch writes (REELM_CONFIG or ./reelm.config.json) */
  configFile: string;
  env?: NodeJS.ProcessEnv;
  /** called after each step (tests interrupt here) */
  hook?: (point: MigratePoint) => void | Promise<void>;
  progress?: (line: string) => void;
}

export interface MigrateReport {
  realm: string;
  outcome: 'switched' | 'already-switched';
  target: string;
  tables: { name: string; rows: number }[];
  blobs: { files: number; bytes: number };
  people: number;
  configFile: string;
  resumed: boolean;
}

const BATCH = 500;
/** Written by the target's own start-up (identity, countries, lifecycle row): checked, not copied. */
const IDENTITY = new Set(['realm_meta', 'realm_countries', 'realm_lifecycle']);

export function describeTarget(t: StoreTarget): string {
  const db = new URL((t.database as { url: string }).url);
  const blobs = t.blobs as { endpoint: string; bucket: string };
  return `postgres://${db.host}${db.pathname} + s3 ${blobs.endpoint.replace(/\/$/, '')}/${blobs.bucket}`;
}

export function migrationStatePath(config: ReelmConfig, realm: string): string {
  return join(resolve(config.dataDir), 'realms', realm, 'migrate-store.json');
}

/** The copy order: users, then the registry's order, held_people last; the identity tables are the target's own. */
export function copyOrder(tables: readonly TableSpec[]): TableSpec[] {
  const rest = tables.filter((t) => !IDENTITY.has(t.name) && t.name !== 'users' && t.name !== 'held_people');
  return [...tables.filter((t) => t.name === 'users'), ...rest, ...tables.filter((t) => t.name === 'held_people')];
}

export async function migrateStore(
  config: ReelmConfig,
  schema: RealmSchema,
  realm: string,
  target: StoreTarget | undefined,
  opts: MigrateOptions,
): Promise<MigrateReport> {
  const env = opts.env ?? process.env;
  const say = opts.progress ?? (() => undefined);
  const info = ResidencyPolicy.fromFile(config.policyFile).realms.get(realm);
  if (!info) throw new MigrateRefused(`the residency policy (${config.policyFile}) has no realm "${realm}"`);
  const source = manifestFor(config, info);
  const statePath = migrationStatePath(config, realm);
  let state = readState(statePath);
  if (source.database.kind !== 'sqlite' || source.blobs.kind !== 'local') {
    if (state?.phase === 'switched') {
      return {
        realm,
        outcome: 'already-switched',
        target: state.target,
        tables: [],
        blobs: { files: 0, bytes: 0 },
        people: 0,
        configFile: opts.configFile,
        resumed: false,
      };
    }
    throw new MigrateRefused(
      `realm ${realm} is on ${source.database.kind} + ${source.blobs.kind} blobs, not SQLite + a local folder: migrate-store copies an embedded realm only`,
    );
  }
  if (state?.phase === 'switched') {
    throw new MigrateRefused(
      `realm ${realm}'s SQLite store was retired at ${state.switchedAt} by a migration to ${state.target}, but the configuration names it again: ` +
        `restore realms.${realm} in ${opts.configFile} (the retired store is suspended and takes no writes)`,
    );
  }
  const prefix = `REELM_${realm.toUpperCase()}_`;
  const overriding = Object.keys(env).filter((k) => env[k] && (k === `${prefix}DATABASE_URL` || k.startsWith(`${prefix}BLOBS_`)));
  if (overriding.length)
    throw new MigrateRefused(`${overriding.join(', ')} set: it would override the stores the switch writes into ${opts.configFile}; unset it first`);
  if (!target) throw new MigrateRefused('--target <file> is required: a JSON file { "database": { "kind": "postgres", … }, "blobs": { "kind": "s3", … } }');
  const described = describeTarget(target);
  if (state && state.target !== described) {
    throw new MigrateRefused(
      `an interrupted migration of realm ${realm} to ${state.target} is in progress (${statePath}): run it again with that target, or --abort it`,
    );
  }
  const resumed = Boolean(state);
  const targetManifest: RealmManifest = { ...source, database: target.database, blobs: target.blobs };
  const from = await RealmStore.open(info, source, schema);
  let to: RealmStore | undefined;
  try {
    to = await RealmStore.open(info, targetManifest, schema);
    if (!state) {
      await refuseUnlessEmpty(to, schema);
      const previous = await realmStatus(from, 0);
      if (previous.state !== 'open' && previous.state !== 'suspended')
        throw new MigrateRefused(`realm ${realm} is ${previous.state}; only an open or suspended realm is migrated`);
      state = { realm, target: described, phase: 'copying', startedAt: new Date().toISOString(), previous, tablesDone: [], blobsDone: false };
      writeState(statePath, state);
      const reason = `migrate-store: copying this realm to ${described}`;
      await setRealmState(from, 'suspended', { reason });
      writeRealmLog(from.manifest, 'realm_suspended', { reason });
    }
    await opts.hook?.('suspended');
    const tables: MigrateReport['tables'] = [];
    for (const t of copyOrder(schema.tables)) {
      if (!state.tablesDone.includes(t.name)) {
        const rows = await copyTable(from, to, t.name);
        state.tablesDone.push(t.name);
        writeState(statePath, state);
        say(`${t.name}: ${rows} rows`);
      }
      await opts.hook?.(`table:${t.name}`);
    }
    const blobs = await copyBlobs(from, to, say);
    state.blobsDone = true;
    writeState(statePath, state);
    await opts.hook?.('blobs');
    for (const t of schema.tables) tables.push({ name: t.name, rows: await countRows(from, t.name) });
    const people = await verify(from, to, schema);
    say(`verified: ${tables.length} tables, ${people} people, ${blobs.files} files`);
    await opts.hook?.('verified');

    writeStoreConfig(opts.configFile, realm, target);
    await setRealmState(to, state.previous.state, { reason: state.previous.reason, closesAt: state.previous.closesAt });
    const retired = `retired: migrated to ${described} at ${new Date().toISOString()}; the realm is served from there`;
    await setRealmState(from, 'suspended', { reason: retired });
    writeRealmLog(from.manifest, 'store_retired', { to: described });
    state.phase = 'switched';
    state.switchedAt = new Date().toISOString();
    writeState(statePath, state);
    await opts.hook?.('switched');
    return { realm, outcome: 'switched', target: described, tables, blobs, people, configFile: opts.configFile, resumed };
  } finally {
    await from.close();
    await to?.close();
  }
}

/** Gives an interrupted migration up: the source realm gets its earlier state back; the target keeps what was copied. */
export async function abortMigration(config: ReelmConfig, schema: RealmSchema, realm: string): Promise<{ target: string; state: string }> {
  const statePath = migrationStatePath(config, realm);
  const state = readState(statePath);
  if (!state) throw new MigrateRefused(`no migration of realm ${realm} is in progress (${statePath} does not exist)`);
  if (state.phase === 'switched')
    throw new MigrateRefused(`the migration of realm ${realm} to ${state.target} is done (switched at ${state.switchedAt}); nothing to abort`);
  const info = ResidencyPolicy.fromFile(config.policyFile).realms.get(realm)!;
  const from = await RealmStore.open(info, manifestFor(config, info), schema);
  try {
    await setRealmState(from, state.previous.state, { reason: state.previous.reason, closesAt: state.previous.closesAt });
    writeRealmLog(from.manifest, 'store_migration_aborted', { to: state.target });
  } finally {
    await from.close();
  }
  rmSync(statePath);
  return { target: state.target, state: state.previous.state };
}

async function refuseUnlessEmpty(to: RealmStore, schema: RealmSchema) {
  for (const t of schema.tables) {
    if (IDENTITY.has(t.name)) continue;
    const n = await countRows(to, t.name);
    if (n > 0) throw new MigrateRefused(`the target database is not empty (${t.name} has ${n} rows): migrate-store copies into a new, empty database`);
  }
  for await (const b of to.blobs.list(''))
    throw new MigrateRefused(`the target bucket is not empty (it holds ${b.key}): migrate-store copies into a new, empty bucket`);
}

async function countRows(store: RealmStore, table: string): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(store.db);
  return Number(r.rows[0]!.n);
}

/** One table in one target transaction, read from SQLite in rowid order (FTS5 tables have rowids too). */
async function copyTable(from: RealmStore, to: RealmStore, table: string): Promise<number> {
  let n = 0;
  await to.db.transaction().execute(async (trx) => {
    await sql`DELETE FROM ${sql.table(table)}`.execute(trx); // what an interrupted run left
    for (let last = Number.MIN_SAFE_INTEGER; ;) {
      const { rows } = await sql<
        Record<string, unknown>
      >`SELECT rowid AS reelm_rowid__, * FROM ${sql.table(table)} WHERE rowid > ${last} ORDER BY rowid LIMIT ${BATCH}`.execute(from.db);
      if (!rows.length) break;
      last = Number(rows.at(-1)!.reelm_rowid__);
      const values = rows.map(({ reelm_rowid__: _, ...row }) => {
        for (const [k, v] of Object.entries(row)) if (v instanceof Uint8Array) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        return row;
      });
      await (trx as any).insertInto(table).values(values).execute();
      n += rows.length;
    }
  });
  return n;
}

/** Every blob, through the owner-scoped writers, each verified by size and SHA-256 (an equal one already there is kept). */
async function copyBlobs(from: RealmStore, to: RealmStore, say: (line: string) => void) {
  let files = 0;
  let bytes = 0;
  for await (const b of from.blobs.list('')) {
    const sha = await blobSha256(from, b.key);
    const there = await to.blobs.stat(b.key);
    if (!there || there.size !== b.size || (await blobSha256(to, b.key)) !== sha) {
      await writeBlob(from, to, b.key);
      const copied = await to.blobs.stat(b.key);
      if (copied?.size !== b.size || (await blobSha256(to, b.key)) !== sha)
        throw new MigrateRefused(`blob ${b.key}: the copy differs from the source (size or SHA-256)`);
    }
    files++;
    bytes += b.size;
    if (files % 500 === 0) say(`blobs: ${files} files`);
  }
  say(`blobs: ${files} files, ${bytes} bytes`);
  return { files, bytes };
}

async function writeBlob(from: RealmStore, to: RealmStore, key: string) {
  const path = from.blobs.localPath!(key);
  const owner = ownerOfKey(key);
  const exportOwner = key.startsWith(to.manifest.exports.blobPrefix) ? key.slice(to.manifest.exports.blobPrefix.length).split('/')[0] : undefined;
  try {
    if (owner) await (await ownerBlobs(to, owner)).putFile(key, path);
    else if (exportOwner) await putOwnedExport(to, exportOwner, key, await from.blobs.get(key));
    else await to.blobs.putFile(key, path); // realm-level files (no person's)
  } catch (err) {
    throw new MigrateRefused(`blob ${key}: ${(err as Error).message} (run \`reelm audit\` on the source: a file of someone who is not a resident)`);
  }
}

/** Row counts per table, every person's data (records, references, files) and the blob listing, equal on both sides. */
async function verify(from: RealmStore, to: RealmStore, schema: RealmSchema): Promise<number> {
  const problems: string[] = [];
  for (const t of schema.tables) {
    const [a, b] = [await countRows(from, t.name), await countRows(to, t.name)];
    if (a !== b) problems.push(`${t.name}: ${a} rows in the source, ${b} in the target`);
  }
  const people = await from.db.selectFrom('users').select('id').orderBy('id').execute();
  for (const { id } of people) {
    const [a, b] = [await collectPersonData(from, id), await collectPersonData(to, id)];
    if (canonicalPersonData(a, { withReferences: true }) !== canonicalPersonData(b, { withReferences: true }))
      problems.push(`person ${id}: their data differs`);
  }
  const listing = async (s: RealmStore) => {
    const out: string[] = [];
    for await (const b of s.blobs.list('')) out.push(`${b.key} ${b.size}`);
    return out.sort().join('\n');
  };
  if ((await listing(from)) !== (await listing(to))) problems.push('the blob listings differ');
  if (problems.length)
    throw new MigrateRefused(`verification failed; the source stays suspended and the configuration unchanged:\n  - ${problems.join('\n  - ')}`);
  return people.length;
}

/** The switch: realms.<realm>.database and .blobs in the configuration file, written whole (temp file + rename). */
function writeStoreConfig(file: string, realm: string, target: StoreTarget) {
  const current: Record<string, any> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  current.realms = { ...(current.realms ?? {}), [realm]: { ...(current.realms?.[realm] ?? {}), database: target.database, blobs: target.blobs } };
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(current, null, 2) + '\n', { mode: 0o600 }); // it holds credentials
  renameSync(tmp, file);
}

function readState(path: string): MigrationState | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as MigrationState) : undefined;
}

function writeState(path: string, state: MigrationState) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(state, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}
