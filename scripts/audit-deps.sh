#!/bin/sh
# Dependency audit: `npm audit` of the production dependencies, failing on high or critical
# advisories not listed in scripts/audit-exceptions.txt (each exception explained in
# docs/SECURITY.md). When the registry's audit endpoint cannot be reached or refuses, this
# says so and exits 2: an audit that did not run is not a pass.
#   sh scripts/audit-deps.sh          exit 0 clean, 1 findings, 2 audit unavailable
set -u
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
npm audit --omit=dev --audit-level=high --json >"$out" 2>/dev/null
node - "$out" scripts/audit-exceptions.txt <<'JS'
const fs = require('node:fs');
const [file, exceptionsFile] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(fs.readFileSync(file, 'utf8') || '{}');
} catch {
  report = {};
}
if (report.error || !report.metadata) {
  const why = report.message ?? (report.error ? `${report.error.code ?? ''} ${report.error.summary ?? ''}`.trim() : '') ?? '';
  console.error(`audit-deps: UNAVAILABLE — the registry's audit endpoint did not answer (${why || 'no report'}). Dependencies were NOT audited; this is not a pass.`);
  process.exit(2);
}
const allowed = new Set(
  (fs.existsSync(exceptionsFile) ? fs.readFileSync(exceptionsFile, 'utf8') : '')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean),
);
const findings = [];
for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
  if (!['high', 'critical'].includes(v.severity)) continue;
  const ids = (v.via ?? []).filter((x) => typeof x === 'object').map((x) => (x.url ?? '').split('/').pop());
  const open = ids.length ? ids.filter((id) => !allowed.has(id)) : [name];
  if (open.length) findings.push(`${v.severity} ${name}: ${open.join(', ')}`);
}
const m = report.metadata.vulnerabilities ?? {};
console.log(`audit-deps: ${report.metadata.dependencies?.prod ?? '?'} production dependencies; high ${m.high ?? 0}, critical ${m.critical ?? 0}; ${allowed.size} documented exceptions`);
if (findings.length) {
  console.error('audit-deps: advisories without a documented exception:\n  ' + findings.join('\n  '));
  process.exit(1);
}
console.log('audit-deps: no high or critical advisory without a documented exception');
JS
