import type { Kysely, Transaction } from 'kysely';
import { AppError } from '../api/errors.ts';
import type { ReceiveOutcome } from '../flows/declarations.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import { blockedEitherWay, hasFollowerEdge } from './block-check.ts';
import type { CommentOutcomePayload } from './flows.ts';

// Whether a comment may stand is decided by the video's realm (it holds the
// post, its follower edges, the creator's blocks and the thread). The author's
// realm checks the same rule before answering when it can; when the verdict is
// made later, elsewhere, it comes back as social.comment_outcome and is stored
// on the author's own copy (state + reason), so the author sees it — a comment
// is never accepted and then silently gone.

export const COMMENT_REFUSALS = {
  post_not_found: [404, 'That video does not exist or you cannot see it.'],
  parent_not_found: [404, 'The comment you replied to does not exist (or was deleted).'],
  comments_off: [403, 'The creator has turned comments off for this video.'],
  comments_followers_only: [403, 'Only people who follow the creator can comment on this video.'],
  comment_not_allowed: [403, 'You cannot comment on this video.'],
} as const satisfies Record<string, readonly [number, string]>;

export type CommentRefusal = keyof typeof COMMENT_REFUSALS;
export const COMMENT_REFUSAL_CODES = Object.keys(COMMENT_REFUSALS) as [CommentRefusal, ...CommentRefusal[]];

export function refusalError(code: CommentRefusal): AppError {
  const [status, message] = COMMENT_REFUSALS[code];
  return new AppError(status, code, message);
}

export function rejectionView(state: string, reason: string | null) {
  if (state !== 'rejected') return null;
  const code = (reason ?? 'comment_not_allowed') as CommentRefusal;
  return { code, message: COMMENT_REFUSALS[code]?.[1] ?? COMMENT_REFUSALS.comment_not_allowed[1] };
}

type Db = Kysely<RealmDatabase> | Transaction<RealmDatabase>;

export interface CommentTarget {
  owner_id: string;
  comment_policy: string;
  audience: string;
}

/**
 * The video realm's rule, read-only. `followers` checks the video realm's
 * follower edges; the author's realm passes false and checks its own follow
 * list instead (its follow message travels ahead of the comment on the same stream).
 */
export async function commentRefusal(db: Db, post: CommentTarget, authorId: string, opts: { followers: boolean }): Promise<CommentRefusal | null> {
  if (authorId === post.owner_id) return null;
  if (post.audience === 'private') return 'post_not_found';
  if (post.comment_policy === 'no_one') return 'comments_off';
  if (await blockedEitherWay(db, post.owner_id, authorId)) return 'comment_not_allowed';
  if (opts.followers && (post.comment_policy === 'followers' || post.audience === 'followers')) {
    if (!(await hasFollowerEdge(db, post.owner_id, authorId))) return post.comment_policy === 'followers' ? 'comments_followers_only' : 'post_not_found';
  }
  return null;
}

/** Author's realm: record the verdict on the author's own copy (a reply to a reply learns its thread). */
export async function receiveCommentOutcome(trx: Transaction<RealmDatabase>, p: CommentOutcomePayload): Promise<ReceiveOutcome> {
  const r = await trx
    .updateTable('comments')
    .set(p.state === 'published' ? { state: 'published', reason: null, parent_id: p.parent_id } : { state: 'rejected', reason: p.reason })
    .where('id', '=', p.comment_id)
    .where('video_id', '=', p.video_id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0 ? 'applied' : 'skipped';
}
