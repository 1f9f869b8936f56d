import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';

// What a person chose not to see: accounts they muted and words they filter.
// Applied to lists of videos (Following, hashtag and sound pages, search, For
// You) and to comment lists — not to a video opened by its id or a profile
// visited on purpose. Both are the viewer's own rows in their own realm, where
// their lists run; the muted person is never told.

type EB = ExpressionBuilder<RealmDatabase, 'post_index'>;

/** Keyword matching is a case-insensitive substring match; LIKE wildcards in a word match literally. */
const escapedWord = sql`replace(replace(replace(keyword_filters.word, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;

export function notHiddenByChoice(eb: EB, viewerId: string | null) {
  if (!viewerId) return eb.and([]);
  return eb.and([
    eb('post_index.owner_id', 'not in', eb.selectFrom('mutes').select('mutes.muted_id').where('mutes.muter_id', '=', viewerId)),
    eb.not(
      eb.exists(
        eb
          .selectFrom('keyword_filters')
          .select('keyword_filters.word')
          .where('keyword_filters.user_id', '=', viewerId)
          .where(sql<boolean>`lower(post_index.caption) like '%' || ${escapedWord} || '%' escape '\\'`),
      ),
    ),
  ]);
}

/** For You for a viewer who is not a protected teen (adults, and anonymous visitors): no post of a protected teen. */
export function notTeenProtected(eb: EB) {
  return eb('post_index.teen_protected', '=', 0);
}

/** The privacy filter of For You: the viewer's own choices, and no protected teen's post unless the viewer is one too. */
export function forYouFilter(eb: EB, viewerId: string | null, viewerIsProtectedTeen: boolean) {
  return viewerIsProtectedTeen ? notHiddenByChoice(eb, viewerId) : eb.and([notHiddenByChoice(eb, viewerId), notTeenProtected(eb)]);
}

export interface CommentFilter {
  hides(c: { author_id: string; body: string }): boolean;
}

/** The viewer's mutes and words, for filtering a page of comments. */
export async function commentFilter(db: Kysely<RealmDatabase>, viewerId: string | null): Promise<CommentFilter> {
  if (!viewerId) return { hides: () => false };
  const muted = new Set((await db.selectFrom('mutes').select('muted_id').where('muter_id', '=', viewerId).execute()).map((r) => r.muted_id));
  const words = (await db.selectFrom('keyword_filters').select('word').where('user_id', '=', viewerId).execute()).map((r) => r.word);
  return { hides: (c) => muted.has(c.author_id) || (words.length > 0 && words.some((w) => c.body.toLowerCase().includes(w))) };
}
