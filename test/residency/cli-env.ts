import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestReelm } from '../helpers/lanes.ts';

/** Environment that points the `reelm` CLI at a test Reelm's stores (either lane). */
export function cliEnv(t: TestReelm): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REELM_DATA_DIR: t.dataDir,
    REELM_SECRET: t.reelm.secret,
    REELM_AUDIT_SIGNING_KEY_FILE: t.config.audit.signingKeyFile,
    REELM_LOG_LEVEL: 'silent',
    REELM_WORKERS: '0',
    REELM_POLICY: t.config.policyFile,
  };
  // the realms' stores (PostgreSQL databases, S3 buckets) as a config file, like an operator's
  const file = join(t.dataDir, 'reelm.config.json');
  writeFileSync(file, JSON.stringify({ realms: t.config.realms, directory: t.config.directory }));
  env.REELM_CONFIG = file;
  return env;
}

/** Runs `reelm <args>` (the same entry point `npx reelm` uses). */
export function reelmCli(t: TestReelm, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['src/main.ts', ...args], { env: cliEnv(t), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
