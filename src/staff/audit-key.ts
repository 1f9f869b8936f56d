import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { ConfigError } from '../config/config.ts';

// The Ed25519 key that signs the staff access chain and its published heads.
// It must not live in the data directory: whoever holds the data files (a
// backup, a disk image, the database operator) must not be able to re-sign a
// rewritten chain. Verification needs only the public key.

export interface AuditKey {
  /** undefined when only verifying (an outside auditor holds the public key alone) */
  readonly privateKey?: KeyObject;
  readonly publicKey: KeyObject;
  /** the public key as the base64url raw 32 bytes (JWK "x"), as published */
  readonly publicKeyId: string;
}

/** A configuration problem: stops start-up with a sentence (src/main.ts). */
export class AuditKeyError extends ConfigError {}

/** Dev default for the embedded setup, outside any data directory. */
export function defaultAuditKeyFile(): string {
  return resolve(homedir(), '.config', 'reelm', 'audit-signing-key.pem');
}

function inside(dir: string, file: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function publicKeyId(publicKey: KeyObject): string {
  return (publicKey.export({ format: 'jwk' }) as { x: string }).x;
}

export function auditPublicKey(id: string): AuditKey {
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: id }, format: 'jwk' });
  return { publicKey, publicKeyId: publicKeyId(publicKey) };
}

/**
 * Loads the signing key from `file` (PEM, PKCS#8 Ed25519). Refused inside the
 * data directory. When no file is configured, a dev key is generated at
 * defaultAuditKeyFile() with a warning.
 */
export function loadAuditKey(file: string | undefined, dataDir: string, warn: (m: string) => void = (m) => process.emitWarning(m, 'ReelmWarning')): AuditKey {
  const path = resolve(file ?? defaultAuditKeyFile());
  if (inside(dataDir, path))
    throw new AuditKeyError(
      `the audit signing key ${path} is inside the data directory ${resolve(dataDir)}; keep it elsewhere (audit.signingKeyFile / REELM_AUDIT_SIGNING_KEY_FILE)`,
    );
  if (!existsSync(path)) {
    if (file) throw new AuditKeyError(`the audit signing key file ${path} (audit.signingKeyFile / REELM_AUDIT_SIGNING_KEY_FILE) does not exist`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    warn(
      `generated a development audit signing key at ${path}; in production set audit.signingKeyFile (REELM_AUDIT_SIGNING_KEY_FILE) to a key kept outside the data directory`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (err) {
    throw new AuditKeyError(`the audit signing key ${path} is not a PEM private key: ${(err as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AuditKeyError(`the audit signing key ${path} must be an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyId: publicKeyId(publicKey) };
}

export function signText(key: AuditKey, text: string): string {
  if (!key.privateKey) throw new Error('this audit key can only verify');
  return sign(null, Buffer.from(text), key.privateKey).toString('base64url');
}

export function verifyText(key: AuditKey, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text), key.publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
