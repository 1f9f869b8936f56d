import { hash, verify, type Algorithm } from '@node-rs/argon2';

// argon2id with OWASP's recommended floor (19 MiB, 2 passes). A dummy hash is
// verified for unknown accounts so that timing does not reveal which exist.
const OPTIONS = { algorithm: 2 as Algorithm /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, OPTIONS);

export const verifyPassword = (stored: string, password: string) => verify(stored, password).catch(() => false);

let dummy: Promise<string> | undefined;
export async function burnVerify(password: string) {
  dummy ??= hashPassword('reelm-dummy-password-for-timing');
  await verifyPassword(await dummy, password);
}
