import type { Viewer } from '../api/auth.ts';
import { AppError, tooMany } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import type { TextEntity } from './text.ts';

// Comment spam heuristics, checked in the author's realm before anything is stored.
// A comment they catch is refused with its own code (never stored, never counted);
// it is not held for review, so nothing waits unseen (docs/SECURITY.md):
//  • links from an account younger than limits.comments.newAccountHours → 403 comment_links_new_account
//  • more than limits.comments.maxMentions distinct mentions → 400 comment_too_many_mentions
//  • the same text by the same person more than maxRepeats times within the window → 429 comment_repeated

// a bare domain counts (shop.example.com), an email address does not: it is not a link (its domain follows an @)
const LINK =
  /\b(?:https?:\/\/|www\.)\S|(?<![@\w.-])(?:[a-z0-9-]{1,63}\.)*[a-z0-9-]{2,63}\.(?:com|net|org|io|co|ly|me|info|biz|xyz|ru|cn|gg|tk|top|site|online|link|click)\b/i;

export function hasLink(text: string): boolean {
  return LINK.test(text);
}

/** Same text whatever the case, spacing or punctuation around it. */
function sameText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export async function checkCommentSpam(reelm: Reelm, viewer: Viewer, text: string, entities: readonly TextEntity[], now = Date.now()): Promise<void> {
  const rules = reelm.config.limits.comments;
  const db = reelm.realms.get(viewer.realm).db;
  const mentions = new Set(entities.filter((e) => e.type === 'mention').map((e) => (e as { handle: string }).handle.toLowerCase()));
  if (mentions.size > rules.maxMentions) throw new AppError(400, 'comment_too_many_mentions', `A comment can mention at most ${rules.maxMentions} people.`);
  if (hasLink(text)) {
    const me = await db.selectFrom('users').select('created_at').where('id', '=', viewer.userId).executeTakeFirstOrThrow();
    if (Number(me.created_at) > now - rules.newAccountHours * 3600_000)
      throw new AppError(403, 'comment_links_new_account', `New accounts cannot post links in comments for their first ${rules.newAccountHours} hours.`);
  }
  const since = now - rules.repeatWindowSeconds * 1000;
  const recent = await db
    .selectFrom('comments')
    .select(['body', 'created_at'])
    .where('author_id', '=', viewer.userId)
    .where('created_at', '>', since)
    .where('state', '!=', 'rejected')
    .orderBy('created_at', 'asc')
    .limit(500)
    .execute();
  const key = sameText(text);
  const same = recent.filter((c) => sameText(c.body) === key);
  if (same.length >= rules.maxRepeats) {
    const wait = Math.max(1, Math.ceil((Number(same[0]!.created_at) + rules.repeatWindowSeconds * 1000 - now) / 1000));
    throw tooMany('comment_repeated', 'You have posted this same comment several times already. Write something new, or wait a while.', wait);
  }
}
