import { loadConfig, openReelm } from '../composition.ts';
import { verifyChain } from '../staff/audit-chain.ts';

// `reelm audit-log verify [--json]`: checks the staff access chain of every
// realm this configuration serves. Exit 0 when intact, 1 on any edit or deletion.

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') {
    console.error('usage: reelm audit-log verify [--json]');
    return 2;
  }
  const json = rest.includes('--json');
  const reelm = await openReelm({ ...loadConfig(), workers: false }, { checkSchema: false });
  try {
    const reports = [];
    for (const store of reelm.realms.all()) reports.push(await verifyChain(store, reelm.secret));
    const bad = reports.filter((r) => r.problems.length > 0);
    if (json) console.log(JSON.stringify({ ok: bad.length === 0, realms: reports }, null, 2));
    else {
      for (const r of reports) {
        console.log(`${r.problems.length ? 'BROKEN' : 'ok    '} realm ${r.realm}: ${r.entries} entries${r.redacted ? ` (${r.redacted} redacted)` : ''}`);
        for (const p of r.problems) console.log(`         ${p}`);
      }
    }
    return bad.length ? 1 : 0;
  } finally {
    await reelm.close();
  }
}
