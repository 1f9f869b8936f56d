import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { auditPublicKey, defaultAuditKeyFile, loadAuditKey, signText, verifyText } from '../../src/staff/audit-key.ts';

// The audit signing key (lane-independent: it is a file, not a store).

test('without a configured key, a dev key is generated outside the data directory with a warning, and reused; a configured file must exist', () => {
  const home = mkdtempSync(join(tmpdir(), 'reelm-home-'));
  const savedHome = process.env.HOME;
  process.env.HOME = home;
  try {
    const dataDir = join(home, 'srv', 'data');
    const warnings: string[] = [];
    const first = loadAuditKey(undefined, dataDir, (m) => warnings.push(m));
    const file = defaultAuditKeyFile();
    assert.equal(file, join(home, '.config', 'reelm', 'audit-signing-key.pem'));
    assert.ok(existsSync(file) && !file.startsWith(dataDir));
    assert.equal(statSync(file).mode & 0o077, 0, 'readable by its owner only');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /development audit signing key.*REELM_AUDIT_SIGNING_KEY_FILE/);
    const again = loadAuditKey(undefined, dataDir, (m) => warnings.push(m));
    assert.equal(again.publicKeyId, first.publicKeyId, 'the same key on the next start');
    assert.equal(warnings.length, 1);
    // Signed with the private key, checked with the public key alone.
    const sig = signText(first, 'statement');
    assert.ok(verifyText(auditPublicKey(first.publicKeyId), 'statement', sig));
    assert.ok(!verifyText(auditPublicKey(first.publicKeyId), 'statement!', sig));
    assert.throws(() => signText(auditPublicKey(first.publicKeyId), 'x'), /only verify/);
    assert.throws(() => loadAuditKey(join(home, 'missing.pem'), dataDir), /does not exist/);
    assert.throws(() => loadAuditKey(join(dataDir, 'key.pem'), dataDir), /inside the data directory/);
  } finally {
    process.env.HOME = savedHome;
    rmSync(home, { recursive: true, force: true });
  }
});
