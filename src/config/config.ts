import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

// Configuration comes from an optional JSON file (REELM_CONFIG, default
// ./reelm.config.json) overlaid by environment variables, validated once at
// start-up. Anything wrong stops the process with a sentence naming the key.
// This file holds the base keys; each module adds its own section (its
// `config.shape`), composed by the root (src/composition.ts: loadConfig).

export const databaseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sqlite'), file: z.string() }),
  z.object({ kind: z.literal('postgres'), url: z.string().url() }),
]);
export type DatabaseConfig = z.infer<typeof databaseSchema>;

export const blobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local'), dir: z.string() }),
  z.object({
    kind: z.literal('s3'),
    endpoint: z.string().url(),
    region: z.string().default('us-east-1'),
    bucket: z.string(),
    accessKeyId: z.string(),
    secretAccessKey: z.string(),
  }),
]);
export type BlobConfig = z.infer<typeof blobSchema>;

export const baseConfigShape = {
  http: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.coerce.number().int().min(0).max(65535).default(8080),
      publicUrl: z.string().url().optional(),
      trustProxy: z.boolean().default(false),
      /** the whole request, body included, must arrive within this time (slow-body defence) */
      requestTimeoutMs: z.coerce.number().int().min(1000).default(300_000),
    })
    .default({ host: '127.0.0.1', port: 8080, trustProxy: false, requestTimeoutMs: 300_000 }),
  dataDir: z.string().default('./data'),
  policyFile: z.string().default('./config/policies/default.json'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Server secret for keyed hashes (email routing keys) and signed media grants. Generated into dataDir when absent. */
  secret: z.string().min(32).optional(),
  /** The staff access chain's Ed25519 signing key (PEM, PKCS#8): a file outside dataDir. Unset: a dev key in ~/.config/reelm/, with a warning. */
  audit: z.object({ signingKeyFile: z.string().optional() }).default({}),
  directory: z.object({ database: databaseSchema.optional() }).default({}),
  realms: z.record(z.string(), z.object({ database: databaseSchema.optional(), blobs: blobSchema.optional() })).default({}),
  /** Run background workers (flow delivery, media jobs) inside the server process. */
  workers: z.boolean().default(true),
  /** Realms this process serves (default: all in the policy). A realm process serves one; its peers are reached by flows. */
  serveRealms: z.array(z.string()).min(1).optional(),
  /** Cross-realm flow delivery (src/flows/): peer realm processes by URL, batch size, poll interval. */
  flows: z
    .object({
      peers: z.record(z.string(), z.string().url()).default({}),
      batchSize: z.coerce.number().int().min(1).max(1000).default(100),
      pollMs: z.coerce.number().int().min(10).default(250),
    })
    .default({ peers: {}, batchSize: 100, pollMs: 250 }),
};

/** The configuration sections of the modules; each module adds its own by augmenting this
 * interface from its module file (`declare module '../config/config.ts' { interface PartConfig { media: MediaConfig } }`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PartConfig {}

export type BaseConfig = z.infer<z.ZodObject<typeof baseConfigShape>>;
export type ReelmConfig = BaseConfig & PartConfig;

/** What the modules contribute to the configuration (built by composeModules). */
export interface ConfigParts {
  readonly shape: Readonly<Record<string, z.ZodType>>;
  readonly fromEnv: readonly ((env: NodeJS.ProcessEnv, merged: Record<string, any>) => void)[];
}

export class ConfigError extends Error {}

/** Environment variables: REELM_PORT, REELM_HOST, REELM_DATA_DIR, REELM_POLICY, REELM_LOG_LEVEL,
 * REELM_SECRET, REELM_AUDIT_SIGNING_KEY_FILE, REELM_PUBLIC_URL, REELM_DIRECTORY_DATABASE_URL, REELM_<REALM>_DATABASE_URL,
 * REELM_<REALM>_BLOBS_ENDPOINT / _BUCKET / _REGION / _ACCESS_KEY_ID / _SECRET_ACCESS_KEY (S3),
 * REELM_WORKERS=0|1, REELM_SERVE_REALMS=us,eu, REELM_FLOW_PEERS=eu=http://…, REELM_FLOW_BATCH, and
 * those of the modules (e.g. REELM_MEDIA_DELIVERY). A postgres:// URL selects PostgreSQL for that store. */
export function parseConfig(parts: ConfigParts, env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): ReelmConfig {
  const file = env.REELM_CONFIG ?? 'reelm.config.json';
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`config file ${resolve(file)} is not valid JSON: ${(err as Error).message}`);
    }
  } else if (env.REELM_CONFIG) {
    throw new ConfigError(`config file ${resolve(file)} (REELM_CONFIG) does not exist`);
  }
  const merged: Record<string, any> = structuredClone({ ...fromFile, ...overrides });
  merged.http = { ...(merged.http ?? {}) };
  if (env.REELM_PORT) merged.http.port = env.REELM_PORT;
  if (env.REELM_HOST) merged.http.host = env.REELM_HOST;
  if (env.REELM_PUBLIC_URL) merged.http.publicUrl = env.REELM_PUBLIC_URL;
  if (env.REELM_DATA_DIR) merged.dataDir = env.REELM_DATA_DIR;
  if (env.REELM_POLICY) merged.policyFile = env.REELM_POLICY;
  if (env.REELM_LOG_LEVEL) merged.logLevel = env.REELM_LOG_LEVEL;
  if (env.REELM_SECRET) merged.secret = env.REELM_SECRET;
  if (env.REELM_AUDIT_SIGNING_KEY_FILE) merged.audit = { ...(merged.audit ?? {}), signingKeyFile: env.REELM_AUDIT_SIGNING_KEY_FILE };
  if (env.REELM_WORKERS) merged.workers = env.REELM_WORKERS !== '0';
  if (env.REELM_SERVE_REALMS) merged.serveRealms = splitList(env.REELM_SERVE_REALMS);
  if (env.REELM_FLOW_PEERS || env.REELM_FLOW_BATCH) {
    // REELM_FLOW_PEERS=eu=http://10.0.0.2:8080,us=http://10.0.0.1:8080
    const peers = Object.fromEntries(splitList(env.REELM_FLOW_PEERS ?? '').map((p) => [p.slice(0, p.indexOf('=')).trim(), p.slice(p.indexOf('=') + 1).trim()]));
    merged.flows = {
      ...(merged.flows ?? {}),
      peers: { ...(merged.flows?.peers ?? {}), ...peers },
      ...(env.REELM_FLOW_BATCH ? { batchSize: env.REELM_FLOW_BATCH } : {}),
    };
  }
  if (env.REELM_DIRECTORY_DATABASE_URL) merged.directory = { database: databaseFromUrl(env.REELM_DIRECTORY_DATABASE_URL) };
  merged.realms = { ...(merged.realms ?? {}) };
  for (const [key, value] of Object.entries(env)) {
    const m = /^REELM_([A-Z0-9]+)_DATABASE_URL$/.exec(key);
    if (m && m[1] !== 'DIRECTORY' && value) {
      const realm = m[1]!.toLowerCase();
      merged.realms[realm] = { ...(merged.realms[realm] ?? {}), database: databaseFromUrl(value) };
    }
  }
  // REELM_<REALM>_BLOBS_ENDPOINT, _BUCKET, _REGION, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY: a realm's S3 bucket
  // from the environment (containers, secret stores), over realms.<realm>.blobs of the file; a missing one is named.
  for (const [key, value] of Object.entries(env)) {
    const m = /^REELM_([A-Z0-9]+)_BLOBS_(ENDPOINT|BUCKET|REGION|ACCESS_KEY_ID|SECRET_ACCESS_KEY)$/.exec(key);
    if (!m || !value) continue;
    const realm = m[1]!.toLowerCase();
    const field = { ENDPOINT: 'endpoint', BUCKET: 'bucket', REGION: 'region', ACCESS_KEY_ID: 'accessKeyId', SECRET_ACCESS_KEY: 'secretAccessKey' }[m[2]!]!;
    const own = merged.realms[realm] ?? {};
    const blobs = own.blobs?.kind === 's3' ? own.blobs : { kind: 's3' };
    merged.realms[realm] = { ...own, blobs: { ...blobs, [field]: value } };
  }
  for (const fromEnv of parts.fromEnv) fromEnv(env, merged);
  const parsed = z.object({ ...baseConfigShape, ...parts.shape }).safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(`configuration is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data as ReelmConfig;
}

function databaseFromUrl(url: string): DatabaseConfig {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', file: url.slice('sqlite:'.length) };
  throw new ConfigError(`database URL must start with postgres://, postgresql:// or sqlite: (got ${url.split(':')[0]}:…)`);
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
}
