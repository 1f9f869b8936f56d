import { sql, type Transaction } from 'kysely';
import type { ReceiveContext, ReceiveOutcome } from '../flows/declarations.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import { notify, unnotify } from './notify.ts';
import { relay } from './relay.ts';
import type { CommentPayload, CommentRemovedPayload, EngagementPayload, EngagementRemovedPayload, ViewsPayload } from './flows.ts';
import type { EngagementKind } from './schema.ts';
import { commentRefusal, type CommentRefusal } from './comment-outcome.ts';
import { mentionedAccounts, type TextEntity } from './text.ts';

// Receiver side of engagement, run in the VIDEO's realm (for a same-realm
// action, in the actor's own transaction). The public copy is keyed by the
// actor-side row id, and every count is recounted from the copies after each
// change, so counts are exact whatever order, replay or retry happened.

type Trx = Transaction<RealmDatabase>;
/** One video's counts in a social.views batch. */
export type ViewCounts = ViewsPayload['videos'][number];

const COUNTER: Record<Exclude<EngagementKind, 'comment_like'>, 'like_count' | 'favorite_count' | 'share_count'> = {
  like: 'like_count',
  favorite: 'favorite_count',
  share: 'share_count',
};

/** The post with the comment policy as published (its projection here: a protected teen's is clamped, src/privacy/teen.ts). */
async function ownPost(trx: Trx, videoId: string) {
  return trx
    .selectFrom('posts')
    .innerJoin('post_index', 'post_index.video_id', 'posts.video_id')
    .select(['posts.video_id', 'posts.owner_id', 'posts.caption', 'post_index.comment_policy', 'posts.audience'])
    .where('posts.video_id', '=', videoId)
    .executeTakeFirst();
}

/** Recounts a video's (or a comment's) counter of one kind from the public copies. */
async function recount(trx: Trx, kind: EngagementKind, videoId: string, commentId: string | null) {
  if (kind === 'comment_like') {
    if (!commentId) return;
    await trx
      .updateTable('video_comments')
      .set({ like_count: sql`(select count(*) from video_engagements where comment_id = ${commentId} and kind = 'comment_like')` })
      .where('id', '=', commentId)
      .execute();
    return;
  }
  const column = COUNTER[kind];
  await trx
    .updateTable('posts')
    .set(column, sql<number>`(select count(*) from video_engagements where video_id = ${videoId} and kind = ${kind})`)
    .set('updated_at', sql<number>`updated_at`)
    .where('video_id', '=', videoId)
    .execute();
  await syncIndexCounts(trx, videoId);
}

/** The owner's realm shows exact counts in its own post_index at once; other realms get them by social.post_stats. */
export async function syncIndexCounts(trx: Trx, videoId: string) {
  const p = await trx
    .selectFrom('posts')
    .select(['like_count', 'comment_count', 'share_count', 'view_count'])
    .where('video_id', '=', videoId)
    .executeTakeFirst();
  if (!p) return;
  await trx.updateTable('posts').set({ stats_changed_at: Date.now() }).where('video_id', '=', videoId).execute();
  await trx
    .updateTable('post_index')
    .set({ like_count: p.like_count, comment_count: p.comment_count, share_count: p.share_count, view_count: Number(p.view_count) })
    .where('video_id', '=', videoId)
    .execute();
}

export async function receiveEngagement(trx: Trx, p: EngagementPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const post = await ownPost(trx, p.video_id);
  if (!post) return 'skipped'; // deleted meanwhile; the deletion broadcast cleans the actor's side
  let commentAuthor: { author_id: string; author_realm: string; body: string } | undefined;
  if (p.kind === 'comment_like') {
    commentAuthor = await trx
      .selectFrom('video_comments')
      .select(['author_id', 'author_realm', 'body'])
      .where('id', '=', p.comment_id ?? '')
      .where('video_id', '=', p.video_id)
      .executeTakeFirst();
    if (!commentAuthor) return 'skipped';
  }
  const inserted = await trx
    .insertInto('video_engagements')
    .values({
      key: p.key,
      kind: p.kind,
      video_id: p.video_id,
      comment_id: p.comment_id,
      actor_id: p.actor_id,
      actor_realm: p.actor_realm,
      actor_handle: p.actor_handle,
      created_at: p.at,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return 'skipped';
  await recount(trx, p.kind, p.video_id, p.comment_id);
  if (p.actor_id && p.actor_realm) {
    const actor = {
      actor_id: p.actor_id,
      actor_realm: p.actor_realm,
      actor_handle: p.actor_handle,
      video_id: p.video_id,
      video_realm: ctx.store.name,
      at: p.at,
    };
    if (p.kind === 'like') {
      await notify(ctx.store, trx, ctx.store.name, {
        ...actor,
        recipient_id: post.owner_id,
        kind: 'like',
        cause_key: `like:${p.key}`,
        group_key: `like:${p.video_id}`,
        comment_id: null,
        excerpt: post.caption,
      });
    } else if (p.kind === 'comment_like' && commentAuthor) {
      await notify(ctx.store, trx, commentAuthor.author_realm, {
        ...actor,
        recipient_id: commentAuthor.author_id,
        kind: 'comment_like',
        cause_key: `comment_like:${p.key}`,
        group_key: `comment_like:${p.comment_id}`,
        comment_id: p.comment_id,
        excerpt: commentAuthor.body,
      });
    }
  }
  return 'applied';
}

export async function receiveEngagementRemoved(trx: Trx, p: EngagementRemovedPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const row = await trx.selectFrom('video_engagements').selectAll().where('key', '=', p.key).where('video_id', '=', p.video_id).executeTakeFirst();
  if (!row) return 'skipped';
  await trx.deleteFrom('video_engagements').where('key', '=', p.key).execute();
  await recount(trx, row.kind, row.video_id, row.comment_id);
  if (row.kind === 'like') {
    const post = await ownPost(trx, row.video_id);
    if (post) await unnotify(ctx.store, trx, ctx.store.name, post.owner_id, `like:${p.key}`);
  } else if (row.kind === 'comment_like' && row.comment_id) {
    const c = await trx.selectFrom('video_comments').select(['author_id', 'author_realm']).where('id', '=', row.comment_id).executeTakeFirst();
    if (c) await unnotify(ctx.store, trx, c.author_realm, c.author_id, `comment_like:${p.key}`);
  }
  return 'applied';
}

export async function receiveComment(trx: Trx, p: CommentPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const post = await ownPost(trx, p.video_id);
  let parent: { id: string; parent_id: string | null; author_id: string; author_realm: string } | undefined;
  if (post && p.parent_id) {
    parent = await trx
      .selectFrom('video_comments')
      .select(['id', 'parent_id', 'author_id', 'author_realm'])
      .where('id', '=', p.parent_id)
      .where('video_id', '=', p.video_id)
      .executeTakeFirst();
  }
  // A parent can only be known to the replier once it is here, or as their own comment sent ahead on the same
  // stream; so a missing parent is missing (or deleted meanwhile), not late.
  const refusal: CommentRefusal | null = !post
    ? 'post_not_found'
    : p.parent_id && !parent
      ? 'parent_not_found'
      : await commentRefusal(trx, post, p.author_id, { followers: true });
  if (refusal || !post) {
    // Refused here: the author's copy says so (never a silent removal).
    await relay(ctx.store, trx, p.author_realm, 'social.comment_outcome', {
      comment_id: p.comment_id,
      video_id: p.video_id,
      state: 'rejected',
      parent_id: p.parent_id,
      reason: refusal ?? 'post_not_found',
    });
    return 'skipped';
  }
  // One level of replies: a reply to a reply joins its thread.
  const parentId = parent ? (parent.parent_id ?? parent.id) : null;
  const inserted = await trx
    .insertInto('video_comments')
    .values({
      id: p.comment_id,
      video_id: p.video_id,
      parent_id: parentId,
      author_id: p.author_id,
      author_realm: p.author_realm,
      author_handle: p.author_handle,
      author_display_name: p.author_display_name,
      body: p.body,
      entities: p.entities,
      like_count: 0,
      reply_count: 0,
      pinned: 0,
      created_at: p.at,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return 'skipped';
  await relay(ctx.store, trx, p.author_realm, 'social.comment_outcome', {
    comment_id: p.comment_id,
    video_id: p.video_id,
    state: 'published',
    parent_id: parentId,
    reason: null,
  });
  await recountComments(trx, p.video_id, parentId);
  const actor = {
    actor_id: p.author_id,
    actor_realm: p.author_realm,
    actor_handle: p.author_handle,
    video_id: p.video_id,
    video_realm: ctx.store.name,
    comment_id: p.comment_id,
    excerpt: p.body,
    at: p.at,
  };
  await notify(ctx.store, trx, ctx.store.name, {
    ...actor,
    recipient_id: post.owner_id,
    kind: 'comment',
    cause_key: `comment:${p.comment_id}`,
    group_key: `comment:${p.video_id}`,
  });
  if (parent && parent.author_id !== post.owner_id) {
    await notify(ctx.store, trx, parent.author_realm, {
      ...actor,
      recipient_id: parent.author_id,
      kind: 'reply',
      cause_key: `reply:${p.comment_id}`,
      group_key: `reply:${p.comment_id}`,
    });
  }
  let entities: TextEntity[] = [];
  try {
    entities = JSON.parse(p.entities);
  } catch {
    entities = [];
  }
  for (const m of mentionedAccounts(entities)) {
    await notify(ctx.store, trx, m.realm, {
      ...actor,
      recipient_id: m.userId,
      kind: 'mention',
      cause_key: `mention:${p.comment_id}`,
      group_key: `mention:${p.comment_id}`,
    });
  }
  return 'applied';
}

async function recountComments(trx: Trx, videoId: string, parentId: string | null) {
  await trx
    .updateTable('posts')
    .set({ comment_count: sql`(select count(*) from video_comments where video_id = ${videoId})` })
    .where('video_id', '=', videoId)
    .execute();
  if (parentId) {
    await trx
      .updateTable('video_comments')
      .set({ reply_count: sql`(select count(*) from video_comments where parent_id = ${parentId})` })
      .where('id', '=', parentId)
      .execute();
  }
  await syncIndexCounts(trx, videoId);
}

/**
 * A comment is gone (its author deleted it, the creator removed it, or the
 * video's realm removed it with its parent). Runs in both realms: in the video's realm it
 * removes the public copy, its replies and their likes; in the author's realm
 * the author's own copy.
 */
export async function receiveCommentRemoved(trx: Trx, p: CommentRemovedPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  let changed = false;
  const own = await trx.selectFrom('comments').select('id').where('id', '=', p.comment_id).executeTakeFirst();
  if (own) {
    await trx.deleteFrom('comments').where('id', '=', p.comment_id).execute();
    changed = true;
  }
  const copy = await trx.selectFrom('video_comments').selectAll().where('id', '=', p.comment_id).where('video_id', '=', p.video_id).executeTakeFirst();
  if (copy) {
    const post = await ownPost(trx, p.video_id);
    const gone = [copy, ...(await trx.selectFrom('video_comments').selectAll().where('parent_id', '=', copy.id).execute())];
    for (const c of gone) {
      await trx.deleteFrom('video_engagements').where('comment_id', '=', c.id).execute();
      await trx.deleteFrom('video_comments').where('id', '=', c.id).execute();
      if (post) await unnotify(ctx.store, trx, ctx.store.name, post.owner_id, `comment:${c.id}`);
      // Replies and the comment itself disappear from their authors' realms too (when not already there).
      if (c.id !== p.comment_id || c.author_realm !== ctx.store.name) {
        if (c.author_realm === ctx.store.name) await trx.deleteFrom('comments').where('id', '=', c.id).execute();
        else await relay(ctx.store, trx, c.author_realm, 'social.comment_removed', { comment_id: c.id, video_id: p.video_id });
      }
    }
    await recountComments(trx, p.video_id, copy.parent_id);
    changed = true;
  }
  return changed ? 'applied' : 'skipped';
}

/** Play counts of one batch, per video: each message is applied exactly once by the flow machinery, so increments stay exact. */
export async function receiveViews(trx: Trx, p: ViewsPayload): Promise<ReceiveOutcome> {
  let applied = 0;
  const now = Date.now();
  for (const v of p.videos) {
    const r = await trx
      .updateTable('posts')
      .set({
        view_count: sql`view_count + ${v.plays}`,
        watch_ms: sql`watch_ms + ${v.watch_ms_total}`,
        completion_count: sql`completion_count + ${v.completions}`,
        stats_changed_at: now,
      })
      .where('video_id', '=', v.video_id)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) continue; // deleted meanwhile
    await trx
      .updateTable('post_index')
      .set({ view_count: sql`view_count + ${v.plays}` })
      .where('video_id', '=', v.video_id)
      .execute();
    applied++;
  }
  return applied > 0 ? 'applied' : 'skipped';
}
