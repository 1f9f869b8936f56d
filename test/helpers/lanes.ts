import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { ReelmConfig } from '../../src/config/config.ts';
import { loadConfig, openReelm } from '../../src/composition.ts';
import type { Reelm } from '../../src/context.ts';
import { buildApp, type App } from '../../src/api/app.ts';
import { ResidencyPolicy } from '../../src/residency/policy.ts';
import { S3BlobStore } from '../../src/blobs/s3-store.ts';
import { missingLane } from './missing-lane.ts';
import { s3Enabled, s3TestConfig, testBucketName } from './s3.ts';

// Test lanes: every store-touching test runs once per lane.
//  sqlite   — the embedded default (always on)
//  postgres — one database per realm on a real PostgreSQL server; enabled when
//             REELM_TEST_PG_URL points at a server (.ci/run starts one)

export type Lane = 'sqlite' | 'postgres';

export function lanes(): Lane[] {
  const out: Lane[] = ['sqlite'];
  if (!missingLane(!process.env.REELM_TEST_PG_URL, 'REELM_TEST_PG_URL is not set (the PostgreSQL lane)')) out.push('postgres');
  return out;
}

export interface TestReelm {
  readonly lane: Lane;
  readonly reelm: Reelm;
  readonly app: App;
  readonly config: ReelmConfig;
  readonly dataDir: string;
  close(): Promise<void>;
}

export interface TestReelmOptions {
  policyFile?: string;
  /** merged into the config before validation */
  config?: Record<string, unknown>;
  /** 's3': every realm's blobs in its own new bucket on the S3 test server (REELM_TEST_S3_ENDPOINT,
   * see test/helpers/s3.ts), removed at close. Default: local folders, except on the postgres lane
   * when REELM_TEST_BLOBS=s3 (PostgreSQL + S3 end to end). */
  blobs?: 'local' | 's3';
}

/**
 * Every injected request comes from one address (127.0.0.1), so per-address limits other than
 * log-in's are off unless a test sets them; per-account limits keep their defaults. Tests of the
 * limits themselves (test/abuse/) set what they prove.
 */
function testLimits(given: Record<string, any> = {}): Record<string, any> {
  const actions: Record<string, any> = {};
  for (const a of ['signUp', 'comment', 'share', 'follow', 'like', 'watchEvents', 'upload']) actions[a] = { perAddress: 0 };
  for (const [a, rule] of Object.entries((given.actions ?? {}) as Record<string, object>)) actions[a] = { ...actions[a], ...rule };
  return { ...given, actions };
}

/** A fresh Reelm on the given lane: its own data dir and, on postgres, its own databases. */
export async function startReelm(lane: Lane, opts: TestReelmOptions = {}): Promise<TestReelm> {
  const dataDir = mkdtempSync(join(tmpdir(), `reelm-test-${lane}-`));
  // The audit signing key lives outside the data directory, as in production.
  const keyDir = mkdtempSync(join(tmpdir(), `reelm-test-key-`));
  const signingKeyFile = join(keyDir, 'audit-signing-key.pem');
  writeFileSync(signingKeyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const policyFile = opts.policyFile ?? resolve('config/policies/default.json');
  const policy = ResidencyPolicy.fromFile(policyFile);
  const created: string[] = [];
  const createdRoles: string[] = [];
  const overrides: Record<string, any> = {
    dataDir,
    policyFile,
    logLevel: 'silent',
    workers: false,
    secret: randomBytes(32).toString('hex'),
    audit: { signingKeyFile },
    ...(opts.config ?? {}),
    limits: testLimits(opts.config?.limits as Record<string, any> | undefined),
  };
  if (lane === 'postgres') {
    const base = process.env.REELM_TEST_PG_URL!;
    const tag = `reelm_t_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      const realms: Record<string, unknown> = {};
      for (const name of [...policy.realms.keys(), 'directory']) {
        // R4: each store its own database and its own role, which may connect to that database only.
        const dbName = `${tag}_${name}`;
        createdRoles.push(dbName);
        created.push(dbName);
        const url = new URL(await createOwnDatabase(admin, dbName));
        if (name === 'directory') overrides.directory = { database: { kind: 'postgres', url: url.toString() } };
        else realms[name] = { ...((overrides.realms as any)?.[name] ?? {}), database: { kind: 'postgres', url: url.toString() } };
      }
      overrides.realms = { ...(overrides.realms ?? {}), ...realms };
    } finally {
      await admin.end();
    }
  }
  const blobs = opts.blobs ?? (lane === 'postgres' && process.env.REELM_TEST_BLOBS === 's3' ? 's3' : 'local');
  if (blobs === 's3') {
    if (!s3Enabled()) throw new Error('blobs: s3 needs REELM_TEST_S3_ENDPOINT (eval "$(bash scripts/swift/start.sh)")');
    const realms: Record<string, any> = { ...(overrides.realms ?? {}) };
    for (const name of policy.realms.keys()) realms[name] = { ...(realms[name] ?? {}), blobs: s3TestConfig(testBucketName(name)) };
    overrides.realms = realms;
  }
  const config = loadConfig({}, overrides);
  const reelm = await openReelm(config);
  const app = await buildApp(reelm, { logger: false });
  await app.ready();
  return {
    lane,
    reelm,
    app,
    config,
    dataDir,
    async close() {
      await app.close();
      if (blobs === 's3') for (const r of reelm.realms.all()) if (r.blobs instanceof S3BlobStore) await r.blobs.destroyBucket();
      await reelm.close();
      if (created.length) {
        const admin = new pg.Client({ connectionString: process.env.REELM_TEST_PG_URL });
        await admin.connect();
        for (const db of created) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        for (const role of createdRoles) await admin.query(`DROP ROLE IF EXISTS ${role}`);
        await admin.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/** A database with a role of its own that may connect to it only (R4), as production sets them up; returns its URL. */
async function createOwnDatabase(admin: pg.Client, dbName: string): Promise<string> {
  const password = randomBytes(12).toString('hex');
  await admin.query(`CREATE ROLE ${dbName} LOGIN PASSWORD '${password}'`);
  await admin.query(`CREATE DATABASE ${dbName} OWNER ${dbName}`);
  await admin.query(`REVOKE ALL ON DATABASE ${dbName} FROM PUBLIC`);
  await admin.query(`GRANT CONNECT ON DATABASE ${dbName} TO ${dbName}`);
  const url = new URL(process.env.REELM_TEST_PG_URL!);
  url.pathname = `/${dbName}`;
  url.username = dbName;
  url.password = password;
  return url.toString();
}

/** A new, empty database and role on the PostgreSQL test server (REELM_TEST_PG_URL), for tests that bring their own store. */
export async function newTestDatabase(tag: string): Promise<{ url: string; drop(): Promise<void> }> {
  const dbName = `reelm_t_${randomBytes(4).toString('hex')}_${tag}`;
  const admin = new pg.Client({ connectionString: process.env.REELM_TEST_PG_URL });
  await admin.connect();
  try {
    const url = await createOwnDatabase(admin, dbName);
    return {
      url,
      async drop() {
        const a = new pg.Client({ connectionString: process.env.REELM_TEST_PG_URL });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await a.query(`DROP ROLE IF EXISTS ${dbName}`);
        await a.end();
      },
    };
  } finally {
    await admin.end();
  }
}

/** The test server's superuser URL for a store's database (for tests that must act below the realm's own role). */
export function adminUrlOf(storeUrl: string): string {
  const u = new URL(process.env.REELM_TEST_PG_URL!);
  u.pathname = new URL(storeUrl).pathname;
  return u.toString();
}
