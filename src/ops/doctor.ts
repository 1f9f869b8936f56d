import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { openBlobStore } from '../blobs/open.ts';
import type { DatabaseConfig, ReelmConfig } from '../config/config.ts';
import { openDatabase } from '../realm/database.ts';
import type { RealmSchema } from '../realm/realm-schema.ts';
import { manifestFor, type RealmManifest } from '../realm/store.ts';
import { ResidencyPolicy, type RealmInfo } from '../residency/policy.ts';

// `reelm doctor`: checks a deployment from one process's configuration and says what to fix. It
// reads and probes, and changes nothing but one probe file per blob store (written, read, removed):
// it opens databases without migrating them. One line per check: ok, warn (works, but not as
// production should run) or fail (broken: a process would not start or not serve).

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface Check {
  readonly status: CheckStatus;
  readonly check: string;
  readonly message: string;
}

export interface DoctorOptions {
  /** a whole nginx configuration to test with `nginx -t -c` (the one that includes deploy/nginx/reelm.conf) */
  nginxConfig?: string;
  /** this machine's clock (tests shift it) */
  now?: () => number;
  nginxBinary?: string;
}

/** Clock skew against a database server: beyond these, leases, grant expiries and rate windows drift between processes. */
export const SKEW_WARN_MS = 1000;
export const SKEW_FAIL_MS = 10_000;

/** Values that are examples or placeholders (repeated, in any case, with any separators), never secrets. */
const PLACEHOLDER_WORDS = /^(changeme|secret|password|example|test|minioadmin|notconfigured|reelm|x|0)+$/;
const isPlaceholder = (value: string) => PLACEHOLDER_WORDS.test(value.toLowerCase().replace(/[^a-z0-9]/g, ''));

export async function runDoctor(config: ReelmConfig, schema: RealmSchema, opts: DoctorOptions = {}): Promise<Check[]> {
  const out: Check[] = [];
  const add = (status: CheckStatus, check: string, message: string) => out.push({ status, check, message });
  const now = opts.now ?? Date.now;

  let policy: ResidencyPolicy;
  try {
    policy = ResidencyPolicy.fromFile(config.policyFile);
    add('ok', 'policy', `${config.policyFile}: ${policy.realms.size} realms (${[...policy.realms.keys()].join(', ')})`);
  } catch (err) {
    add('fail', 'policy', `${config.policyFile}: ${(err as Error).message}`);
    return out;
  }
  for (const name of [...Object.keys(config.realms), ...(config.serveRealms ?? [])]) {
    if (!policy.realms.has(name)) add('fail', 'config', `the configuration names realm "${name}", which the policy does not define: fix realms / serveRealms`);
  }
  checkSecrets(config, add);
  const realms = [...policy.realms.values()].filter((r) => !config.serveRealms || config.serveRealms.includes(r.name));
  const manifests = realms.map((r) => manifestFor(config, r));
  checkSeparation(manifests, add);
  for (const [i, info] of realms.entries()) {
    await checkRealmDatabase(info, manifests[i]!, schema, now, add);
    await checkBlobs(manifests[i]!, add);
  }
  const directory: DatabaseConfig = config.directory.database ?? { kind: 'sqlite', file: join(resolve(config.dataDir), 'directory.sqlite') };
  await checkDatabase('directory', directory, now, add, async () => 'reachable');
  if (opts.nginxConfig) checkNginx(opts.nginxConfig, opts.nginxBinary, add);
  return out;
}

function inside(dir: string, file: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

type Add = (status: CheckStatus, check: string, message: string) => void;

function checkSecrets(config: ReelmConfig, add: Add) {
  if (config.secret) {
    const distinct = new Set(config.secret).size;
    if (isPlaceholder(config.secret) || distinct < 12)
      add('fail', 'secret', 'the server secret looks like a placeholder: set REELM_SECRET to a random value (e.g. `openssl rand -base64 48`)');
    else add('ok', 'secret', 'the server secret is set in the configuration (the same one on every process)');
  } else {
    const file = join(resolve(config.dataDir), 'secret.key');
    add(
      'warn',
      'secret',
      `${existsSync(file) ? `the server secret is the one generated into the data directory (${file})` : `no server secret: one will be generated into ${file}`}; ` +
        'a copy of the data directory (a backup) then carries it, and each machine would make its own: set REELM_SECRET on every process from a secret store',
    );
  }
  const keyFile = config.audit.signingKeyFile;
  if (!keyFile) {
    add(
      'warn',
      'audit key',
      'audit.signingKeyFile is not set: a development key in ~/.config/reelm/ signs the staff access chain; set REELM_AUDIT_SIGNING_KEY_FILE to a key kept outside the data directory',
    );
  } else if (inside(config.dataDir, keyFile)) {
    add(
      'fail',
      'audit key',
      `the audit signing key ${resolve(keyFile)} is inside the data directory ${resolve(config.dataDir)}: whoever holds the data could re-sign a rewritten chain; move it out`,
    );
  } else if (!existsSync(keyFile)) {
    add('fail', 'audit key', `the audit signing key file ${resolve(keyFile)} does not exist: processes refuse to start`);
  } else if ((statSync(keyFile).mode & 0o077) !== 0) {
    add('warn', 'audit key', `${resolve(keyFile)} is readable by group or others: chmod 600 it`);
  } else add('ok', 'audit key', `${resolve(keyFile)}, outside the data directory, readable by its owner only`);
  for (const [realm, own] of Object.entries(config.realms)) {
    if (own.blobs?.kind === 's3' && isPlaceholder(own.blobs.secretAccessKey)) {
      add('fail', `realm ${realm} blobs`, 'the S3 secret key is a default or placeholder: create credentials for this realm’s bucket only');
    }
  }
}

/** R4: each realm its own database and bucket; credentials shared between realms could open another's store. */
function checkSeparation(manifests: RealmManifest[], add: Add) {
  const seen = new Map<string, string>();
  const shared = (kind: string, key: string, realm: string, status: CheckStatus, text: string) => {
    const other = seen.get(`${kind}:${key}`);
    if (other) add(status, 'separation', `realms ${other} and ${realm} ${text}`);
    else seen.set(`${kind}:${key}`, realm);
  };
  for (const m of manifests) {
    if (m.database.kind === 'postgres') {
      const u = new URL(m.database.url);
      shared('db', `${u.host}${u.pathname}`, m.realm, 'fail', `use the same database ${u.host}${u.pathname}: give each realm its own`);
      if (u.username)
        shared(
          'role',
          `${u.host}:${u.username}`,
          m.realm,
          'warn',
          `connect as the same role ${u.username}: give each realm a role that may connect to its own database only`,
        );
    }
    if (m.blobs.kind === 's3') {
      shared('bucket', `${m.blobs.endpoint}/${m.blobs.bucket}`, m.realm, 'fail', `use the same bucket ${m.blobs.bucket}: give each realm its own`);
      shared(
        's3 key',
        `${m.blobs.endpoint}:${m.blobs.accessKeyId}`,
        m.realm,
        'warn',
        `share S3 credentials (${m.blobs.accessKeyId}): give each realm credentials for its own bucket only`,
      );
    }
  }
}

async function checkRealmDatabase(info: RealmInfo, m: RealmManifest, schema: RealmSchema, now: () => number, add: Add) {
  await checkDatabase(`realm ${info.name} database`, m.database, now, add, async (db) => {
    const meta = await db
      .selectFrom('realm_meta')
      .select('realm')
      .executeTakeFirst()
      .catch(() => undefined);
    if (meta && meta.realm !== info.name) throw new Error(`this store belongs to realm "${meta.realm}", not "${info.name}": fix realms.${info.name}.database`);
    const provider = { getMigrations: async () => ({ ...schema.migrations }) };
    const pending = (await new Migrator({ db, provider, allowUnorderedMigrations: true }).getMigrations()).filter((x) => !x.executedAt).map((x) => x.name);
    const state = await db
      .selectFrom('realm_lifecycle')
      .select(['state', 'reason'])
      .executeTakeFirst()
      .catch(() => undefined);
    if (state && state.state !== 'open')
      add('warn', `realm ${info.name} state`, `${state.state}${state.reason ? ` (${state.reason})` : ''}: \`reelm realm status ${info.name}\``);
    if (pending.length)
      return {
        status: 'warn' as const,
        text: `reachable; ${pending.length} migrations not applied yet (${pending.slice(0, 3).join(', ')}…): they run at the next start`,
      };
    return 'reachable, migrations current';
  });
}

/** Reachability (one query), the check's own probe, and on PostgreSQL the clock skew against the server. */
async function checkDatabase(
  check: string,
  config: DatabaseConfig,
  now: () => number,
  add: Add,
  probe: (db: Kysely<any>) => Promise<string | { status: CheckStatus; text: string }>,
) {
  const where =
    config.kind === 'sqlite'
      ? config.file
      : (() => {
          const u = new URL(config.url);
          return `postgres ${u.host}${u.pathname}`;
        })();
  if (config.kind === 'sqlite' && config.file !== ':memory:' && !existsSync(config.file)) {
    add('warn', check, `${where} does not exist yet: it is created at the first start`);
    return;
  }
  const { db } = openDatabase<any>(config);
  try {
    const t0 = now();
    const r = await sql<{
      ms: number;
    }>`SELECT ${sql.raw(config.kind === 'postgres' ? '(extract(epoch from clock_timestamp()) * 1000)::float8' : '1')} AS ms`.execute(db);
    const t1 = now();
    const result = await probe(db);
    const { status, text } = typeof result === 'string' ? { status: 'ok' as const, text: result } : result;
    add(status, check, `${where}: ${text}`);
    if (config.kind === 'postgres') {
      const skew = Number(r.rows[0]!.ms) - (t0 + t1) / 2;
      const abs = Math.abs(skew);
      const text = `this machine's clock is ${(abs / 1000).toFixed(2)} s ${skew > 0 ? 'behind' : 'ahead of'} the database server's`;
      if (abs > SKEW_FAIL_MS) add('fail', `${check} clock`, `${text}: run NTP (chrony, systemd-timesyncd) on both`);
      else if (abs > SKEW_WARN_MS) add('warn', `${check} clock`, `${text}: run NTP on both`);
      else add('ok', `${check} clock`, `${text}`);
    }
  } catch (err) {
    add('fail', check, `${where}: ${(err as Error).message}`);
  } finally {
    await db.destroy();
  }
}

/** Writes, reads back and removes one probe file with the realm's own credentials. */
async function checkBlobs(m: RealmManifest, add: Add) {
  const check = `realm ${m.realm} blobs`;
  const store = openBlobStore(m.blobs);
  const key = `doctor/probe-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const body = Buffer.from(`reelm doctor ${new Date().toISOString()}`);
    await store.put(key, body);
    const back = await store.getBuffer(key);
    await store.delete(key);
    if (!back.equals(body)) throw new Error('the probe file read back differs from what was written');
    add('ok', check, `${store.location}: writable (probe written, read back, removed)`);
  } catch (err) {
    add('fail', check, `${store.location}: not writable with this realm's credentials: ${(err as Error).message}`);
  } finally {
    await store.close?.();
  }
}

function checkNginx(file: string, binary: string | undefined, add: Add) {
  const bin = binary ?? ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p)) ?? 'nginx';
  const r = spawnSync(bin, ['-t', '-c', resolve(file)], { encoding: 'utf8' });
  if (r.error) {
    add('warn', 'nginx', `cannot run ${bin} to test ${file}: ${r.error.message}`);
    return;
  }
  const lines = (r.stderr || r.stdout).trim().split('\n');
  if (r.status !== 0) {
    add('fail', 'nginx', `nginx -t -c ${file}: ${lines.find((l) => /emerg|error|failed/.test(l)) ?? lines.at(-1)}`);
    return;
  }
  const text = readConfigTree(resolve(file));
  if (text.includes('REELM_EDGE_SECRET')) {
    add(
      'warn',
      'nginx',
      `${file} is valid, but the edge secret is still the placeholder REELM_EDGE_SECRET: put \`npx reelm edge-secret\` there, or every grant goes through Node`,
    );
  } else add('ok', 'nginx', `nginx -t -c ${file}: the configuration is valid`);
}

/** The file and the files it includes by absolute path (enough to find a placeholder in the shipped site). */
function readConfigTree(file: string, seen = new Set<string>()): string {
  if (seen.has(file) || !existsSync(file)) return '';
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const included = [...text.matchAll(/^\s*include\s+(\/[^;*]+);/gm)].map((m) => readConfigTree(m[1]!.trim(), seen));
  return [text, ...included].join('\n');
}
