import { badRequest } from '../api/errors.ts';
import { isCommonPassword } from './common-passwords.ts';

// Rules for what people type at sign-up and in their profile. Each rule throws
// an AppError whose code names the field and the problem.

/** Handles: 3–24 characters; letters, digits, '_' and '.'; starts with a letter or digit;
 * no '..' and no trailing '.'. Unique across all realms, ignoring case. */
export const HANDLE_RULES =
  '3–24 characters: letters, digits, underscores and periods; starting with a letter or digit; no two periods in a row and no period at the end';
const HANDLE_RE = /^[A-Za-z0-9][A-Za-z0-9_.]{2,23}$/;
const RESERVED = new Set([
  'admin',
  'administrator',
  'api',
  'root',
  'reelm',
  'support',
  'staff',
  'help',
  'about',
  'settings',
  'login',
  'logout',
  'signup',
  'me',
  'moderator',
  'security',
  'system',
  'null',
  'undefined',
  'www',
  'media',
  'explore',
  'search',
  'tag',
  'sound',
  'video',
  'official',
]);

export function normalizeHandle(handle: string): { handle: string; key: string } {
  const h = handle.trim().replace(/^@/, '');
  if (!HANDLE_RE.test(h) || h.includes('..') || h.endsWith('.')) {
    throw badRequest('invalid_handle', `That handle is not allowed. Handles are ${HANDLE_RULES}.`);
  }
  const key = h.toLowerCase();
  if (RESERVED.has(key)) throw badRequest('handle_reserved', `The handle "${h}" is reserved. Please choose another.`);
  return { handle: h, key };
}

/** Emails: trimmed, Unicode-normalised, lower-cased; one account per address. */
export function normalizeEmail(email: string): string {
  const e = email.trim().normalize('NFC').toLowerCase();
  if (e.length > 254 || !/^[^\s@<>()[\]\\,;:"]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(e)) {
    throw badRequest('invalid_email', 'That does not look like an email address.');
  }
  return e;
}

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export function checkPassword(password: string, context: { handle?: string; email?: string }) {
  if (password.length < PASSWORD_MIN) throw badRequest('weak_password', `Passwords need at least ${PASSWORD_MIN} characters.`);
  if (password.length > PASSWORD_MAX) throw badRequest('password_too_long', `Passwords can have at most ${PASSWORD_MAX} characters.`);
  const lower = password.toLowerCase();
  if (isCommonPassword(password)) throw badRequest('weak_password', 'That password is one of the most common ones and easy to guess. Please choose another.');
  const local = context.email?.split('@')[0];
  if ((context.handle && lower.includes(context.handle.toLowerCase())) || (local && local.length >= 4 && lower.includes(local))) {
    throw badRequest('weak_password', 'Your password should not contain your handle or email address.');
  }
}

/** Parses YYYY-MM-DD and returns the age in whole years at `now`. */
export function ageOn(birthDate: string, now = new Date()): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) : undefined;
  if (!m || !date || date.getUTCFullYear() !== +m[1]! || date.getUTCMonth() !== +m[2]! - 1 || date.getUTCDate() !== +m[3]!) {
    throw badRequest('invalid_birth_date', 'Birth date must be a real date written as YYYY-MM-DD.');
  }
  if (date.getTime() > now.getTime()) throw badRequest('invalid_birth_date', 'Birth date cannot be in the future.');
  let age = now.getUTCFullYear() - date.getUTCFullYear();
  const beforeBirthday = now.getUTCMonth() < date.getUTCMonth() || (now.getUTCMonth() === date.getUTCMonth() && now.getUTCDate() < date.getUTCDate());
  if (beforeBirthday) age--;
  if (age > 130) throw badRequest('invalid_birth_date', 'Please check your birth date.');
  return age;
}

export interface ProfileLink {
  url: string;
  kind: 'instagram' | 'youtube' | 'tiktok' | 'x' | 'facebook' | 'twitch' | 'web';
  domain: string;
}

export const MAX_LINKS = 5;

const KINDS: Array<[RegExp, ProfileLink['kind']]> = [
  [/(^|\.)instagram\.com$/, 'instagram'],
  [/(^|\.)(youtube\.com|youtu\.be)$/, 'youtube'],
  [/(^|\.)tiktok\.com$/, 'tiktok'],
  [/(^|\.)(x\.com|twitter\.com)$/, 'x'],
  [/(^|\.)facebook\.com$/, 'facebook'],
  [/(^|\.)twitch\.tv$/, 'twitch'],
];

/** External links: https only, a real host name, no credentials; shown with their domain. */
export function checkLinks(urls: string[]): ProfileLink[] {
  if (urls.length > MAX_LINKS) throw badRequest('too_many_links', `A profile can have at most ${MAX_LINKS} links.`);
  return urls.map((raw, i) => {
    let u: URL;
    try {
      u = new URL(raw.trim());
    } catch {
      throw badRequest('invalid_link', `Link ${i + 1} is not a valid web address.`);
    }
    if (u.protocol !== 'https:') throw badRequest('invalid_link', `Link ${i + 1} must start with https:// (got ${u.protocol.replace(':', '')}).`);
    if (u.username || u.password) throw badRequest('invalid_link', `Link ${i + 1} must not contain a user name or password.`);
    const host = u.hostname.toLowerCase();
    if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(host)) {
      throw badRequest('invalid_link', `Link ${i + 1} needs a public domain name.`);
    }
    if (u.href.length > 2048) throw badRequest('invalid_link', `Link ${i + 1} is too long.`);
    const kind = KINDS.find(([re]) => re.test(host))?.[1] ?? 'web';
    return { url: u.href, kind, domain: host.replace(/^www\./, '') };
  });
}
