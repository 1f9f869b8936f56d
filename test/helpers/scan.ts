import { flushRealmLog } from '../../src/residency/realm-log.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { adminUrlOf, type TestReelm } from './lanes.ts';

// Raw byte scans of a realm's stores, for the residency canary test and the
// erasure tests: the database's own files (SQLite file + WAL; PostgreSQL's
// files under data_directory/base/<oid> after a CHECKPOINT), the blob folder or
// every object of the realm's S3 bucket, and the realm log.

export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The on-disk files of a PostgreSQL database, after a checkpoint has written its pages out. */
export async function pgDatabaseFiles(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: adminUrlOf(url) }); // CHECKPOINT and data_directory need the server's superuser
  await c.connect();
  try {
    await c.query('CHECKPOINT');
    const { rows } = await c.query(`select oid, current_setting('data_directory') as dir from pg_database where datname = current_database()`);
    return filesUnder(join(rows[0].dir, 'base', String(rows[0].oid)));
  } finally {
    await c.end();
  }
}

/** Every file that makes up a realm's stores: database, blob folder, logs (and work folders beside them). */
export async function realmFiles(t: TestReelm, realm: string): Promise<string[]> {
  const m = t.reelm.realms.get(realm).manifest;
  await flushRealmLog(m); // request lines are buffered; read what a clean stop would have written
  const files = filesUnder(join(t.dataDir, 'realms', realm)); // SQLite file + WAL, blobs, logs, media work dirs
  if (m.blobs.kind === 'local') files.push(...filesUnder(m.blobs.dir).filter((f) => !files.includes(f)));
  files.push(...filesUnder(m.logs.dir).filter((f) => !files.includes(f)));
  if (m.database.kind === 'postgres') files.push(...(await pgDatabaseFiles(m.database.url)));
  return files;
}

export async function directoryFiles(t: TestReelm): Promise<string[]> {
  const d = t.config.directory.database;
  if (d?.kind === 'postgres') return pgDatabaseFiles(d.url);
  return filesUnder(t.dataDir).filter((f) => /directory\.sqlite/.test(f));
}

/** Every object of a realm's S3 bucket, read back (bytes at rest as the store serves them). */
export async function s3Objects(t: TestReelm, realm: string): Promise<Map<string, Buffer>> {
  const blobs = t.reelm.realms.get(realm).blobs;
  const out = new Map<string, Buffer>();
  if (blobs.kind !== 's3') return out;
  for await (const b of blobs.list('')) out.set(`${blobs.location}/${b.key}`, await blobs.getBuffer(b.key));
  return out;
}

/** A file's bytes, or undefined when the server removed it since it was listed (PostgreSQL drops files such as
 * pg_internal.init while it runs): a file that is gone holds nothing. */
function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function hits(files: string[], value: string, objects: Map<string, Buffer> = new Map()): string[] {
  const needle = Buffer.from(value, 'utf8');
  return [
    ...files.filter((f) => (readIfPresent(f)?.indexOf(needle) ?? -1) !== -1),
    ...[...objects].filter(([, bytes]) => bytes.indexOf(needle) !== -1).map(([name]) => name),
  ];
}

/** Where in a realm's stores (files and S3 objects) any of `values` occurs, as "value in place"; empty when nowhere. */
export async function scanRealm(t: TestReelm, realm: string, values: readonly string[]): Promise<string[]> {
  const files = await realmFiles(t, realm);
  const objects = await s3Objects(t, realm);
  return values.flatMap((v) => hits(files, v, objects).map((place) => `${v} in ${place}`));
}
