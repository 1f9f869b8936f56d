import { loadConfig, openReelm } from '../composition.ts';
import { auditReelm } from './scan.ts';

// `reelm audit [--json]`: exit 0 when every realm is clean, 1 on any finding.

export async function run(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const reelm = await openReelm({ ...loadConfig(), workers: false }, { checkSchema: false });
  try {
    const report = await auditReelm(reelm);
    if (json) console.log(JSON.stringify({ ok: report.findings.length === 0, ...report }, null, 2));
    else {
      for (const r of report.realms) console.log(`realm ${r.realm}: ${r.tables} tables, ${r.rows} rows, ${r.files} files (${r.bytes} bytes)`);
      for (const f of report.findings) console.log(`FINDING [${f.realm}] ${f.kind}: ${f.message}${f.sample ? ` e.g. ${f.sample.join(', ')}` : ''}`);
      const rate = (n: number) => (report.seconds > 0 ? Math.round(n / report.seconds) : n);
      console.log(
        `${report.findings.length === 0 ? 'clean' : `${report.findings.length} finding(s)`}: ${report.rows} rows and ${report.files} files in ${report.seconds.toFixed(2)} s (${rate(report.rows)} rows/s, ${rate(report.files)} files/s)`,
      );
    }
    return report.findings.length ? 1 : 0;
  } finally {
    await reelm.close();
  }
}
