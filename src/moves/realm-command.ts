import { parseArgs } from 'node:util';
import { loadConfig, openReelm } from '../composition.ts';
import { realmStatus } from '../realm/lifecycle.ts';
import { LifecycleRefused, purgeRealm, resumeRealm, startClosing, suspendRealm } from './realm-lifecycle.ts';

// `reelm realm status|suspend|resume|close <realm>` (R10, R11).
//   suspend  — every endpoint of the realm answers 503 realm_suspended within seconds; nothing is written
//   resume   — service returns, nothing lost
//   close    — people are told and may download their data for --days (default moves.closeDays);
//              run again after that (or with --now) to purge, which prints the closing report

const USAGE = 'usage: reelm realm <status|suspend|resume|close> <realm> [--reason <text>] [--days <n>] [--now] [--json]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { reason: { type: 'string' }, days: { type: 'string' }, now: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const [sub, realm] = positionals;
  if (!sub || !realm || !['status', 'suspend', 'resume', 'close'].includes(sub)) {
    console.error(USAGE);
    return 2;
  }
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !(days >= 0)) {
    console.error('reelm: --days must be a number of days (0 or more)');
    return 2;
  }
  const reelm = await openReelm({ ...loadConfig(), workers: false });
  const print = (what: unknown) => console.log(JSON.stringify(what, null, values.json ? undefined : 2));
  try {
    if (!reelm.realms.has(realm)) throw new LifecycleRefused(`realm "${realm}" is not served here (realms: ${reelm.realms.names().join(', ')})`);
    if (sub === 'status') print({ realm, ...(await realmStatus(reelm.realms.get(realm), 0)) });
    else if (sub === 'suspend') print({ realm, ...(await suspendRealm(reelm, realm, values.reason)) });
    else if (sub === 'resume') print({ realm, ...(await resumeRealm(reelm, realm)) });
    else {
      const status = await realmStatus(reelm.realms.get(realm), 0);
      if (status.state === 'open' || status.state === 'suspended') {
        const s = await startClosing(reelm, realm, { days, reason: values.reason });
        print({ realm, ...s });
        console.error(`Realm ${realm} is closing: people can download their data until ${new Date(s.closesAt!).toISOString()}.`);
        if (!values.now) {
          console.error(`Run \`reelm realm close ${realm}\` again after that date to purge it (or with --now).`);
          return 0;
        }
      }
      const report = await purgeRealm(reelm, realm, { force: values.now });
      print(report);
      if (report.state !== 'closed') {
        console.error(`reelm: ${report.pendingFlows} flow messages to other realms are not delivered yet; run the command again.`);
        return 1;
      }
      console.error(`Realm ${realm} is closed: ${report.totalRows} rows and ${report.filesLeft} files left.`);
      return report.totalRows === 0 && report.filesLeft === 0 ? 0 : 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof LifecycleRefused) {
      console.error(`reelm: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    await reelm.close();
  }
}
