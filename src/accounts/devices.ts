import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// A device that has logged in to an account before carries a device token
// (cookie `reelm_device`, or the `Reelm-Device` header for API clients): a random
// id with a MAC binding it to that account under the server secret. Its failed
// log-ins count against its own allowance, so a stranger's failures on the shared
// account counter cannot lock the owner out of their own device. Nothing is stored.

export const DEVICE_COOKIE = 'reelm_device';
export const DEVICE_HEADER = 'reelm-device';
export const DEVICE_TTL_S = 365 * 24 * 3600;

function mac(secret: string, userId: string, id: string): string {
  return createHmac('sha256', secret).update(`reelm-device-v1\0${userId}\0${id}`).digest('base64url').slice(0, 32);
}

export function newDeviceToken(secret: string, userId: string): string {
  const id = randomBytes(16).toString('base64url');
  return `${id}.${mac(secret, userId, id)}`;
}

/** The device id when the token was issued for this account, else undefined. */
export function deviceOf(secret: string, userId: string, token: string | undefined): string | undefined {
  const m = token ? /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{32})$/.exec(token) : null;
  if (!m) return undefined;
  const want = Buffer.from(mac(secret, userId, m[1]!));
  const got = Buffer.from(m[2]!);
  return want.length === got.length && timingSafeEqual(want, got) ? m[1] : undefined;
}
