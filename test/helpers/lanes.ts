import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { loadConfig, type ReelmConfig } from '../../src/config/config.ts';
import { openReelm, type Reelm } from '../../src/context.ts';
import { buildApp, type App } from '../../src/api/app.ts';
import { ResidencyPolicy } from '../../src/residency/policy.ts';

// Test lanes: every store-touching test runs once per lane.
//  sqlite   — the embedded default (always on)
//  postgres — one database per realm on a real PostgreSQL server; enabled when
//             REELM_TEST_PG_URL points at a server (.ci/run starts one)

export type Lane = 'sqlite' | 'postgres';

export function lanes(): Lane[] {
  const out: Lane[] = ['sqlite'];
  if (process.env.REELM_TEST_PG_URL) out.push('postgres');
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
}

/** A fresh Reelm on the given lane: its own data dir and, on postgres, its own databases. */
export async function startReelm(lane: Lane, opts: TestReelmOptions = {}): Promise<TestReelm> {
  const dataDir = mkdtempSync(join(tmpdir(), `reelm-test-${lane}-`));
  const policyFile = opts.policyFile ?? resolve('config/policies/default.json');
  const policy = ResidencyPolicy.fromFile(policyFile);
  const created: string[] = [];
  const overrides: Record<string, any> = { dataDir, policyFile, logLevel: 'silent', workers: false, secret: randomBytes(32).toString('hex'), ...(opts.config ?? {}) };
  if (lane === 'postgres') {
    const base = process.env.REELM_TEST_PG_URL!;
    const tag = `reelm_t_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      const realms: Record<string, unknown> = {};
      for (const name of [...policy.realms.keys(), 'directory']) {
        const dbName = `${tag}_${name}`;
        await admin.query(`CREATE DATABASE ${dbName}`);
        created.push(dbName);
        const url = new URL(base);
        url.pathname = `/${dbName}`;
        if (name === 'directory') overrides.directory = { database: { kind: 'postgres', url: url.toString() } };
        else realms[name] = { ...((overrides.realms as any)?.[name] ?? {}), database: { kind: 'postgres', url: url.toString() } };
      }
      overrides.realms = { ...(overrides.realms ?? {}), ...realms };
    } finally {
      await admin.end();
    }
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
      await reelm.close();
      if (created.length) {
        const admin = new pg.Client({ connectionString: process.env.REELM_TEST_PG_URL });
        await admin.connect();
        for (const db of created) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await admin.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
