import { parseArgs } from 'node:util';
import { loadConfig, openReelm } from '../composition.ts';
import { FlowDeliverer } from '../flows/deliverer.ts';
import { moveCountry } from './country-move.ts';
import { movePerson, MoveRefused } from './move.ts';

// `reelm move <handle> --to <realm> [--country <CC>]` moves one person (R7–R9);
// `reelm move --country <CC>` moves everyone of a country to the realm the policy now homes it in.
// Both are resumable: killed and run again, they continue from the persisted move records.

const USAGE = 'usage: reelm move <handle> --to <realm> [--country <CC>] [--json]\n       reelm move --country <CC> [--json]';

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { to: { type: 'string' }, country: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [handle] = positionals;
  if ((!handle && !values.country) || (handle && !values.to) || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const reelm = await openReelm({ ...loadConfig(), workers: false });
  const print = (what: unknown) => console.log(JSON.stringify(what, null, values.json ? undefined : 2));
  try {
    if (handle) {
      const report = await movePerson(reelm, { person: handle, to: values.to!, country: values.country });
      await new FlowDeliverer(reelm).deliverOnce(); // re-pointing reaches the realms this process serves now; the rest by the deliverer
      print(report);
      console.error(
        `Moved ${report.handle} from ${report.from} to ${report.to}: ${report.copied.rows} rows, ${report.copied.files} files; left in ${report.from}: ${report.left.rows} rows, ${report.left.files} files.`,
      );
      return report.left.rows === 0 && report.left.files === 0 ? 0 : 1;
    }
    const report = await moveCountry(reelm, values.country!, {
      onProgress: (done, total) => process.stderr.write(`\r${bar(done, total)}`),
    });
    process.stderr.write('\n');
    await new FlowDeliverer(reelm).deliverOnce();
    print(report);
    const left = Object.values(report.leftBehind).reduce((a, b) => a + b, 0);
    console.error(`Audit: ${left} people of ${report.country} left outside realm ${report.to}.`);
    return left === 0 && report.failed.length === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof MoveRefused) {
      console.error(`reelm: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    await reelm.close();
  }
}
