import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig, openReelm } from '../composition.ts';
import { verifyChain, type SignedHead } from '../staff/audit-chain.ts';
import { auditPublicKey, type AuditKey } from '../staff/audit-key.ts';

// `reelm audit-log verify [--json] [--against head.json …]`: checks the staff
// access chain of every realm this configuration serves, and that each saved
// signed head (GET /api/v1/realms/{realm}/audit-head, or the `head` of a
// person's access log) is still part of it — with the configured key, or with
// a published public key alone (--public-key). Exit 0 when intact, 1 on any edit,
// deletion or truncation, 2 on bad usage.

const USAGE = 'usage: reelm audit-log verify [--json] [--against head.json …] [--public-key <base64url>]';

const headSchema = z.object({
  realm: z.string(),
  seq: z.number().int().min(0),
  hash: z.string(),
  signedAt: z.string(),
  signature: z.string(),
  publicKey: z.string(),
});

function readHeads(files: string[]): SignedHead[] {
  const heads: SignedHead[] = [];
  for (const f of files) {
    const json: unknown = JSON.parse(readFileSync(f, 'utf8'));
    // a head, a list of heads, or a saved access-log answer ({ head, entries })
    const list = Array.isArray(json) ? json : json && typeof json === 'object' && 'head' in json ? [json.head] : [json];
    for (const h of list) heads.push(headSchema.parse(h));
  }
  return heads;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') {
    console.error(USAGE);
    return 2;
  }
  const json = rest.includes('--json');
  const files: string[] = [];
  let publicKey: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] !== '--against' && rest[i] !== '--public-key') continue;
    const v = rest[i + 1];
    if (!v || v.startsWith('--')) {
      console.error(USAGE);
      return 2;
    }
    if (rest[i] === '--against') files.push(v);
    else publicKey = v;
    i++;
  }
  let key: AuditKey | undefined;
  try {
    // An outside auditor verifies with the published public key alone.
    if (publicKey) key = auditPublicKey(publicKey);
  } catch {
    console.error('--public-key is not an Ed25519 public key (base64url, as published in audit-head)');
    return 2;
  }
  let against: SignedHead[];
  try {
    against = readHeads(files);
  } catch (err) {
    console.error(`a saved head could not be read: ${(err as Error).message}`);
    return 2;
  }
  const reelm = await openReelm({ ...loadConfig(), workers: false }, { checkSchema: false });
  try {
    const reports = [];
    for (const store of reelm.realms.all()) reports.push(await verifyChain(store, key ?? reelm.auditKey, against));
    // A saved head naming a realm this configuration does not serve cannot be checked: say so, do not pass it.
    for (const realm of new Set(against.map((h) => h.realm).filter((r) => !reelm.realms.has(r))))
      reports.push({ realm, entries: 0, redacted: 0, problems: [`a saved head names realm ${realm}, which this configuration does not serve`] });
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
