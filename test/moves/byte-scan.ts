import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { flushRealmLog } from '../../src/residency/realm-log.ts';
import { adminUrlOf, type TestReelm } from '../helpers/lanes.ts';

// Raw byte scans of one realm's stores, as test/residency/canary.test.ts does: the database
// files (SQLite file + WAL; PostgreSQL's files after a checkpoint), the blob store (folder or
// every object of the S3 bucket) and the realm's log folder.

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function pgDatabaseFiles(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: adminUrlOf(url) });
  await c.connect();
  try {
    await c.query('CHECKPOINT');
    const { rows } = await c.query(`select oid, current_setting('data_directory') as dir from pg_database where datname = current_database()`);
    return filesUnder(join(rows[0].dir, 'base', String(rows[0].oid)));
  } finally {
    await c.end();
  }
}

/** Where in a realm's stores any of `values` occurs (file paths or s3 object names); empty when nowhere. */
export async function scanRealm(t: TestReelm, realm: string, values: readonly string[]): Promise<string[]> {
  const store = t.reelm.realms.get(realm);
  const m = store.manifest;
  await flushRealmLog(m);
  const files = new Set(filesUnder(join(t.dataDir, 'realms', realm)));
  if (m.blobs.kind === 'local') for (const f of filesUnder(m.blobs.dir)) files.add(f);
  for (const f of filesUnder(m.logs.dir)) files.add(f);
  if (m.database.kind === 'postgres') for (const f of await pgDatabaseFiles(m.database.url)) files.add(f);
  const needles = values.map((v) => Buffer.from(v, 'utf8'));
  const found: string[] = [];
  for (const f of files) {
    if (statSync(f).size === 0) continue;
    const bytes = readFileSync(f);
    for (const [i, n] of needles.entries()) if (bytes.indexOf(n) !== -1) found.push(`${values[i]} in ${f}`);
  }
  if (store.blobs.kind === 's3') {
    for await (const b of store.blobs.list('')) {
      const bytes = await store.blobs.getBuffer(b.key);
      for (const [i, n] of needles.entries()) if (bytes.indexOf(n) !== -1) found.push(`${values[i]} in ${store.blobs.location}/${b.key}`);
    }
  }
  return found;
}
