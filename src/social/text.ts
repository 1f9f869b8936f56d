import { stripUnsafeChars } from '../lib/unsafe-chars.ts';
import { badRequest } from '../api/errors.ts';

// User text (captions, comments) is stored as typed text plus parsed entities,
// and rendered by clients from those entities — never as HTML (S4). Offsets
// are UTF-16 code-unit positions into the stored text ([start, end)).

export const CAPTION_MAX = 2200;
export const COMMENT_MAX = 500;
const TAG_MAX = 100;

export type TextEntity =
  | { type: 'hashtag'; start: number; end: number; tag: string }
  | { type: 'mention'; start: number; end: number; handle: string; userId: string | null; realm: string | null };

// A hashtag starts after a non-word character; letters and digits of any script, and underscores.
const HASHTAG = /(^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]{1,100})/gu;
const MENTION = /(^|[^\p{L}\p{N}_.@])@([A-Za-z0-9_.]{1,30})/gu;

/** Removes control characters (keeping line breaks and tabs), normalises, trims; refuses overlong text. */
export function cleanText(text: string, max: number, what: string): string {
  const cleaned = stripUnsafeChars(text);
  if ([...cleaned].length > max) throw badRequest(`${what}_too_long`, `The ${what} can be at most ${max} characters long.`);
  return cleaned;
}

/** The lookup key of a hashtag: lower case, NFC, without the #. */
export function tagKey(tag: string): string {
  return tag.replace(/^#/, '').normalize('NFC').toLowerCase().slice(0, TAG_MAX);
}

export function parseEntities(text: string): TextEntity[] {
  const out: TextEntity[] = [];
  for (const m of text.matchAll(HASHTAG)) {
    const start = m.index! + m[1]!.length;
    out.push({ type: 'hashtag', start, end: start + 1 + m[2]!.length, tag: tagKey(m[2]!) });
  }
  for (const m of text.matchAll(MENTION)) {
    const handle = m[2]!.replace(/\.+$/, ''); // a sentence-ending dot is not part of the handle
    if (!handle) continue;
    const start = m.index! + m[1]!.length;
    out.push({ type: 'mention', start, end: start + 1 + handle.length, handle, userId: null, realm: null });
  }
  return out.sort((a, b) => a.start - b.start);
}

export function hashtagsOf(entities: readonly TextEntity[]): string[] {
  return [...new Set(entities.filter((e) => e.type === 'hashtag').map((e) => (e as { tag: string }).tag))];
}

/** Resolves mentions to accounts; a mention of nobody stays plain text (userId null). */
export async function resolveMentions(
  entities: TextEntity[],
  locate: (handle: string) => Promise<{ userId: string; realm: string } | undefined>,
): Promise<TextEntity[]> {
  const cache = new Map<string, { userId: string; realm: string } | undefined>();
  for (const e of entities) {
    if (e.type !== 'mention') continue;
    const key = e.handle.toLowerCase();
    if (!cache.has(key)) cache.set(key, await locate(key));
    const hit = cache.get(key);
    e.userId = hit?.userId ?? null;
    e.realm = hit?.realm ?? null;
  }
  return entities;
}

export function mentionedAccounts(entities: readonly TextEntity[]): { userId: string; realm: string; handle: string }[] {
  const seen = new Map<string, { userId: string; realm: string; handle: string }>();
  for (const e of entities) if (e.type === 'mention' && e.userId && e.realm) seen.set(e.userId, { userId: e.userId, realm: e.realm, handle: e.handle });
  return [...seen.values()];
}
