import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, openReelm } from '../composition.ts';
import { importArchive, ImportRefused } from './import.ts';

// `reelm import <archive> --realm <r> [--country <CC>]`: a "download your data" archive becomes the
// account again in realm <r> (src/rights/import.ts). Prints the report with a one-time password.

const USAGE = 'usage: reelm import <archive.tar> --realm <realm> [--country <CC>] [--json]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { realm: { type: 'string' }, country: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1 || !values.realm) {
    console.error(USAGE);
    return 2;
  }
  let tar: Buffer;
  try {
    tar = readFileSync(positionals[0]!);
  } catch (err) {
    console.error(`reelm: cannot read ${positionals[0]}: ${(err as Error).message}`);
    return 2;
  }
  const reelm = await openReelm({ ...loadConfig(), workers: false });
  try {
    const report = await importArchive(reelm, tar, { realm: values.realm, country: values.country });
    console.log(JSON.stringify(report, null, values.json ? undefined : 2));
    console.error(
      `Imported @${report.handle} into realm ${report.realm}: ${report.rows} rows, ${report.files} files. Their one-time password is in the report: hand it to them; they change it in settings.`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ImportRefused) {
      console.error(`reelm: import refused (${err.code}): ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await reelm.close();
  }
}
