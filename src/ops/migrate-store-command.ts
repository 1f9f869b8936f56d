import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { composition, loadConfig } from '../composition.ts';
import { abortMigration, migrateStore, MigrateRefused, storeTargetSchema, type StoreTarget } from './migrate-store.ts';

// `reelm migrate-store <realm> --target <file> [--json]`: copies an embedded realm (SQLite + local
// folder) to PostgreSQL + S3, verifies, and switches the configuration file over (src/ops/migrate-store.ts).
// `reelm migrate-store <realm> --abort`: gives an interrupted migration up and resumes the realm on its SQLite store.
// The target is a file (not flags) so that its credentials stay out of the process list and shell history.

const USAGE = 'usage: reelm migrate-store <realm> --target <target.json> [--json]\n       reelm migrate-store <realm> --abort';

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { target: { type: 'string' }, abort: { type: 'boolean' }, json: { type: 'boolean' } } });
  } catch (err) {
    console.error(`reelm migrate-store: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [realm] = positionals;
  if (!realm || positionals.length > 1 || (values.abort && values.target)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const configFile = process.env.REELM_CONFIG ?? 'reelm.config.json';
  try {
    if (values.abort) {
      const r = await abortMigration(config, composition.schema, realm);
      console.error(
        `Migration of realm ${realm} to ${r.target} aborted; the realm is ${r.state} again on its SQLite store. ` +
          'The target database and bucket keep what was copied: empty them before migrating again.',
      );
      return 0;
    }
    const target = values.target ? readTarget(values.target) : undefined;
    const report = await migrateStore(config, composition.schema, realm, target, { configFile, progress: (line) => console.error(`${realm}: ${line}`) });
    console.log(JSON.stringify(report, null, values.json ? undefined : 2));
    if (report.outcome === 'already-switched') console.error(`Realm ${realm} was already migrated to ${report.target}; nothing to do.`);
    else
      console.error(
        `Realm ${realm} is on ${report.target}: ${report.people} people and ${report.blobs.files} files verified; ${configFile} names the new stores. ` +
          'Restart the realm’s processes; the SQLite file and blob folder are retired (suspended) and can be archived.',
      );
    return 0;
  } catch (err) {
    if (err instanceof MigrateRefused) {
      console.error(`reelm migrate-store: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function readTarget(file: string): StoreTarget {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MigrateRefused(`cannot read the target file ${file}: ${(err as Error).message}`);
  }
  const parsed = storeTargetSchema.safeParse(raw);
  if (!parsed.success) throw new MigrateRefused(`target file ${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
