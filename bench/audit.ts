// `node bench/audit.ts [--users 5000] [--files 5000]`: rows and files per second
// scanned by `reelm audit` on SQLite and (when REELM_TEST_PG_URL is set) on
// PostgreSQL, with a baseline in the same process: reading every row once
// (select *) and listing every file once, without any checks.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { auditReelm } from '../src/audit/scan.ts';
import { composition, loadConfig, openReelm } from '../src/composition.ts';
import type { Reelm } from '../src/context.ts';
import { newId } from '../src/lib/ids.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '5000' }, files: { type: 'string', default: '5000' } } });
const USERS = Number(values.users);
const FILES = Number(values.files);

async function seed(reelm: Reelm) {
  const us = reelm.realms.get('us');
  const ids: string[] = [];
  const now = Date.now();
  for (let i = 0; i < USERS; i += 250) {
    const batch = Array.from({ length: Math.min(250, USERS - i) }, (_, j) => {
      const id = newId();
      ids.push(id);
      const h = `b${i + j}_${randomBytes(3).toString('hex')}`;
      return {
        id,
        handle: h,
        handle_key: h,
        email: `${h}@bench.test`,
        password_hash: 'x',
        birth_date: '1990-01-01',
        country: 'US',
        home_realm: 'us',
        display_name: h,
        bio: 'bench',
        avatar_key: null,
        links: '[]',
        is_private: 0,
        follower_count: 4,
        following_count: 4,
        created_at: now,
        password_changed_at: now,
      };
    });
    await us.db.insertInto('users').values(batch).execute();
  }
  for (let i = 0; i < ids.length; i += 100) {
    const sessions = [];
    const follows = [];
    const edges = [];
    for (const id of ids.slice(i, i + 100)) {
      for (let s = 0; s < 2; s++)
        sessions.push({
          id: newId(),
          user_id: id,
          token_hash: randomBytes(16).toString('hex'),
          kind: 'bearer' as const,
          created_at: now,
          last_seen_at: now,
          expires_at: now + 1e9,
          user_agent: null,
        });
      for (let f = 1; f <= 4; f++) {
        const other = ids[(ids.indexOf(id) + f) % ids.length]!;
        follows.push({
          follower_id: id,
          followee_id: other,
          followee_realm: 'us',
          followee_handle: 'h',
          followee_display_name: 'h',
          followee_avatar_key: null,
          created_at: now,
        });
        edges.push({
          followee_id: other,
          follower_id: id,
          follower_realm: 'us',
          follower_handle: 'h',
          follower_display_name: 'h',
          follower_avatar_key: null,
          created_at: now,
        });
      }
    }
    await us.db.insertInto('sessions').values(sessions).execute();
    await us.db.insertInto('follows').values(follows).execute();
    await us.db.insertInto('follower_edges').values(edges).execute();
  }
  const body = Buffer.alloc(1024, 7);
  for (let i = 0; i < FILES; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, FILES - i) }, (_, j) => us.blobs.put(`users/${ids[(i + j) % ids.length]}/videos/${i + j}.bin`, body)));
  }
}

async function baseline(reelm: Reelm) {
  const t0 = performance.now();
  let rows = 0;
  let files = 0;
  for (const store of reelm.realms.all()) {
    for (const t of composition.schema.tables) rows += (await sql.raw(`select * from ${t.name}`).execute(store.db)).rows.length;
    for await (const _ of store.blobs.list('')) files++;
  }
  return { rows, files, seconds: (performance.now() - t0) / 1000 };
}

async function run(lane: 'sqlite' | 'postgres') {
  const dataDir = mkdtempSync(join(tmpdir(), `reelm-bench-audit-${lane}-`));
  const overrides: Record<string, any> = { dataDir, logLevel: 'silent', workers: false, secret: randomBytes(32).toString('hex') };
  const dbs: string[] = [];
  const admin = lane === 'postgres' ? new pg.Client({ connectionString: process.env.REELM_TEST_PG_URL }) : undefined;
  if (admin) {
    await admin.connect();
    const tag = `reelm_bench_${randomBytes(3).toString('hex')}`;
    overrides.realms = {};
    for (const name of ['us', 'eu', 'intl', 'directory']) {
      await admin.query(`CREATE DATABASE ${tag}_${name}`);
      dbs.push(`${tag}_${name}`);
      const u = new URL(process.env.REELM_TEST_PG_URL!);
      u.pathname = `/${tag}_${name}`;
      if (name === 'directory') overrides.directory = { database: { kind: 'postgres', url: u.toString() } };
      else overrides.realms[name] = { database: { kind: 'postgres', url: u.toString() } };
    }
  }
  const reelm = await openReelm(loadConfig({}, overrides));
  try {
    await seed(reelm);
    if (lane === 'postgres') for (const s of reelm.realms.all()) await sql.raw('analyze').execute(s.db);
    await baseline(reelm); // warm caches for both measurements alike
    const base = await baseline(reelm);
    const report = await auditReelm(reelm);
    if (report.findings.length) throw new Error(`bench data should audit clean: ${JSON.stringify(report.findings.slice(0, 3))}`);
    const r = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');
    console.log(
      `[${lane}] audit: ${report.rows} rows, ${report.files} files in ${report.seconds.toFixed(2)} s → ${r(report.rows, report.seconds)} rows/s, ${r(report.files, report.seconds)} files/s`,
    );
    console.log(
      `[${lane}] baseline (select * + list): ${base.rows} rows, ${base.files} files in ${base.seconds.toFixed(2)} s; audit/baseline time ratio ${(report.seconds / base.seconds).toFixed(2)}`,
    );
  } finally {
    await reelm.close();
    if (admin) {
      // Pools close asynchronously; let their backends go before dropping the databases.
      for (let i = 0; i < 40; i++) {
        const open = await admin.query(`select 1 from pg_stat_activity where datname = any($1)`, [dbs]);
        if (open.rows.length === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const d of dbs) await admin.query(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
      await admin.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await run('sqlite');
if (process.env.REELM_TEST_PG_URL) await run('postgres');
else console.log('[postgres] skipped: set REELM_TEST_PG_URL=postgres://… to measure PostgreSQL');
