import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ReelmConfig } from './config/config.ts';
import { Directory } from './directory/directory.ts';
import { ResidencyPolicy } from './residency/policy.ts';
import { manifestFor, RealmStore } from './realm/store.ts';
import type { Composition } from './modules/compose.ts';
import { checkStartup } from './modules/startup-checks.ts';
import { loadAuditKey, type AuditKey } from './staff/audit-key.ts';

// Everything a running Reelm holds open: the policy, one store per realm, the
// routing directory and the composition of modules it was built from.
// Services take what they need from here. `openReelm` with the real modules
// is in src/composition.ts; this file imports no part.

export class Realms {
  readonly #stores: Map<string, RealmStore>;
  constructor(stores: RealmStore[]) {
    this.#stores = new Map(stores.map((s) => [s.name, s]));
  }
  get(name: string): RealmStore {
    const s = this.#stores.get(name);
    if (!s) throw new Error(`realm "${name}" is not open in this process`);
    return s;
  }
  has(name: string): boolean {
    return this.#stores.has(name);
  }
  all(): RealmStore[] {
    return [...this.#stores.values()];
  }
  names(): string[] {
    return [...this.#stores.keys()];
  }
}

export interface Reelm {
  readonly config: ReelmConfig;
  readonly policy: ResidencyPolicy;
  readonly realms: Realms;
  readonly directory: Directory;
  readonly secret: string;
  /** the modules this Reelm runs: schema, flow table, job handlers, routes, tasks */
  readonly composition: Composition;
  /** signs the staff access chain; kept outside the data directory */
  readonly auditKey: AuditKey;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Refuse to open when a realm database holds a table or column no module classifies (default true).
   * The audit commands open with false: reporting such findings is their job. */
  checkSchema?: boolean;
}

export async function openReelmWith(config: ReelmConfig, composition: Composition, opts: OpenOptions = {}): Promise<Reelm> {
  const policy = ResidencyPolicy.fromFile(config.policyFile);
  for (const name of Object.keys(config.realms)) {
    if (!policy.realms.has(name)) throw new Error(`configuration names realm "${name}", which the residency policy (${config.policyFile}) does not define`);
  }
  const secret = serverSecret(config);
  const auditKey = loadAuditKey(config.audit.signingKeyFile, config.dataDir);
  const stores: RealmStore[] = [];
  try {
    for (const name of config.serveRealms ?? []) {
      if (!policy.realms.has(name)) throw new Error(`serveRealms names realm "${name}", which the residency policy does not define`);
    }
    for (const info of policy.realms.values()) {
      // A realm process opens only the realms it serves; the others are peers reached by flows.
      if (config.serveRealms && !config.serveRealms.includes(info.name)) continue;
      stores.push(await RealmStore.open(info, manifestFor(config, info), composition.schema));
    }
    const directory = await Directory.open(config.directory.database ?? { kind: 'sqlite', file: join(resolve(config.dataDir), 'directory.sqlite') }, secret);
    const realms = new Realms(stores);
    const reelm: Reelm = {
      config,
      policy,
      realms,
      directory,
      secret,
      composition,
      auditKey,
      async close() {
        await Promise.all([...realms.all().map((s) => s.close()), directory.close()]);
      },
    };
    try {
      await checkStartup(reelm, { schema: opts.checkSchema ?? true });
    } catch (err) {
      await directory.close();
      throw err;
    }
    return reelm;
  } catch (err) {
    await Promise.allSettled(stores.map((s) => s.close()));
    throw err;
  }
}

/** The configured secret, or the one generated into the data directory on first start. */
export function serverSecret(config: ReelmConfig): string {
  return config.secret ?? loadOrCreateSecret(config.dataDir);
}

function loadOrCreateSecret(dataDir: string): string {
  const file = join(resolve(dataDir), 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
