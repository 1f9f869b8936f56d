import type { Viewer } from '../api/auth.ts';
import { badRequest, conflict, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import { isUniqueViolation } from '../realm/database.ts';
import { newId } from '../lib/ids.ts';
import { visiblePost } from './posts.ts';
import { relay } from './relay.ts';
import { emitEngagement } from '../modules/engagement.ts';
import { COMMENT_MAX, cleanText, parseEntities, resolveMentions, type TextEntity } from './text.ts';
import { commentRefusal, refusalError, rejectionView, type CommentRefusal } from './comment-outcome.ts';
import { blockedSet, follows } from './visibility.ts';
import { checkCommentSpam } from './comment-spam.ts';
import { commentFilter } from '../privacy/filters.ts';

// The actor's side of engagement. Each action is first the person's own
// activity, stored in their home realm; in the same transaction its public
// copy is relayed to the video's realm (social.engagement / social.comment),
// where counts are recounted. Undoing removes both.

const home = (reelm: Reelm, viewer: Viewer) => reelm.realms.get(viewer.realm);

export async function like(reelm: Reelm, viewer: Viewer, videoId: string) {
  const post = await visiblePost(reelm, viewer, videoId);
  const store = home(reelm, viewer);
  await store.transact(async (tx) => {
    const id = newId();
    const r = await tx.db
      .insertInto('likes')
      .values({ id, user_id: viewer.userId, video_id: videoId, video_realm: post.video_realm, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['user_id', 'video_id']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return; // already liked: liking is idempotent
    await emitEngagement(reelm, tx.db, store, viewer.userId, [{ videoId, kind: 'like', at: Date.now() }]);
    await relay(tx, post.video_realm, 'social.engagement', {
      key: id,
      kind: 'like',
      video_id: videoId,
      comment_id: null,
      actor_id: viewer.userId,
      actor_realm: viewer.realm,
      actor_handle: viewer.handle,
      at: Date.now(),
    });
  });
  return { liked: true };
}

export async function unlike(reelm: Reelm, viewer: Viewer, videoId: string) {
  const store = home(reelm, viewer);
  await store.transact(async (tx) => {
    const row = await tx.db.selectFrom('likes').selectAll().where('user_id', '=', viewer.userId).where('video_id', '=', videoId).executeTakeFirst();
    if (!row) return;
    await tx.db.deleteFrom('likes').where('id', '=', row.id).execute();
    await relay(tx, row.video_realm, 'social.engagement_removed', { key: row.id, video_id: videoId });
  });
  return { liked: false };
}

export async function comment(reelm: Reelm, viewer: Viewer, videoId: string, body: string, parentId: string | null) {
  const post = await visiblePost(reelm, viewer, videoId);
  const store = home(reelm, viewer);
  // What the author's realm knows: its projection of the post and its own follow list.
  const local = await commentRefusal(store.db, post, viewer.userId, { followers: false });
  if (local) throw refusalError(local);
  if (post.owner_id !== viewer.userId && post.comment_policy === 'followers' && !(await follows(store.db, viewer.userId, post.owner_id))) {
    throw refusalError('comments_followers_only');
  }
  const text = cleanText(body, COMMENT_MAX, 'comment');
  if (!text) throw badRequest('empty_comment', 'A comment cannot be empty.');
  // Own comments (even still pending) travel ahead of this one on the same stream, so they may be replied to.
  const ownParent = parentId
    ? await store.db
        .selectFrom('comments')
        .select('id')
        .where('id', '=', parentId)
        .where('video_id', '=', videoId)
        .where('state', '!=', 'rejected')
        .executeTakeFirst()
    : undefined;
  // When this process serves the video's realm, its verdict is given now rather than after delivery.
  if (post.video_realm !== store.name && reelm.realms.has(post.video_realm)) {
    const v = reelm.realms.get(post.video_realm).db;
    const target = await v
      .selectFrom('posts')
      .innerJoin('post_index', 'post_index.video_id', 'posts.video_id')
      .select(['posts.owner_id', 'post_index.comment_policy', 'posts.audience'])
      .where('posts.video_id', '=', videoId)
      .executeTakeFirst();
    if (!target) throw refusalError('post_not_found');
    const refusal = await commentRefusal(v, target, viewer.userId, { followers: false });
    if (refusal) throw refusalError(refusal);
    if (parentId && !ownParent) {
      const p = await v.selectFrom('video_comments').select('id').where('id', '=', parentId).where('video_id', '=', videoId).executeTakeFirst();
      if (!p) throw refusalError('parent_not_found');
    }
  }
  const entities: TextEntity[] = await resolveMentions(parseEntities(text), async (h) => {
    const e = await reelm.directory.byHandle(h);
    return e ? { userId: e.userId, realm: e.realm } : undefined;
  });
  await checkCommentSpam(reelm, viewer, text, entities);
  const me = await store.db.selectFrom('users').select(['handle', 'display_name']).where('id', '=', viewer.userId).executeTakeFirstOrThrow();
  const id = newId();
  const at = Date.now();
  const saved = await store.transact(async (tx) => {
    await tx.db
      .insertInto('comments')
      .values({
        id,
        author_id: viewer.userId,
        video_id: videoId,
        video_realm: post.video_realm,
        parent_id: parentId,
        body: text,
        state: 'pending',
        reason: null,
        created_at: at,
      })
      .execute();
    await relay(tx, post.video_realm, 'social.comment', {
      comment_id: id,
      video_id: videoId,
      parent_id: parentId,
      author_id: viewer.userId,
      author_realm: viewer.realm,
      author_handle: me.handle,
      author_display_name: me.display_name,
      body: text,
      entities: JSON.stringify(entities),
      at,
    });
    const row = await tx.db.selectFrom('comments').select(['state', 'reason', 'parent_id']).where('id', '=', id).executeTakeFirstOrThrow();
    // Same realm: the verdict was given in this transaction; a refusal undoes everything and is answered now.
    if (row.state === 'rejected') throw refusalError(row.reason as CommentRefusal);
    return row;
  });
  return {
    id,
    videoId,
    parentId: saved.parent_id,
    body: text,
    entities,
    state: saved.state,
    rejection: null,
    createdAt: new Date(at).toISOString(),
  };
}

/** The author's own comment, with what the video's realm decided about it. */
export async function ownComment(reelm: Reelm, viewer: Viewer, commentId: string) {
  const c = await home(reelm, viewer)
    .db.selectFrom('comments')
    .selectAll()
    .where('id', '=', commentId)
    .where('author_id', '=', viewer.userId)
    .executeTakeFirst();
  if (!c) throw notFound('That comment');
  return {
    id: c.id,
    videoId: c.video_id,
    parentId: c.parent_id,
    body: c.body,
    state: c.state,
    rejection: rejectionView(c.state, c.reason),
    createdAt: new Date(Number(c.created_at)).toISOString(),
  };
}

/** The author deletes their comment, or the creator deletes a comment on their video. */
export async function deleteComment(reelm: Reelm, viewer: Viewer, commentId: string) {
  const store = home(reelm, viewer);
  const own = await store.db.selectFrom('comments').selectAll().where('id', '=', commentId).where('author_id', '=', viewer.userId).executeTakeFirst();
  if (own) {
    await store.transact(async (tx) => {
      await tx.db.deleteFrom('comments').where('id', '=', commentId).execute();
      await relay(tx, own.video_realm, 'social.comment_removed', { comment_id: commentId, video_id: own.video_id });
    });
    return;
  }
  const onMine = await store.db
    .selectFrom('video_comments')
    .innerJoin('posts', 'posts.video_id', 'video_comments.video_id')
    .select(['video_comments.video_id'])
    .where('video_comments.id', '=', commentId)
    .where('posts.owner_id', '=', viewer.userId)
    .executeTakeFirst();
  if (!onMine) throw notFound('That comment');
  await store.transact(async (tx) => {
    await relay(tx, store.name, 'social.comment_removed', { comment_id: commentId, video_id: onMine.video_id });
  });
}

export async function pinComment(reelm: Reelm, viewer: Viewer, videoId: string, commentId: string, pinned: boolean) {
  const store = home(reelm, viewer);
  const post = await store.db.selectFrom('posts').select('video_id').where('video_id', '=', videoId).where('owner_id', '=', viewer.userId).executeTakeFirst();
  if (!post) throw notFound('That video');
  const c = await store.db
    .selectFrom('video_comments')
    .select(['id', 'parent_id'])
    .where('id', '=', commentId)
    .where('video_id', '=', videoId)
    .executeTakeFirst();
  if (!c) throw notFound('That comment');
  if (c.parent_id) throw badRequest('cannot_pin_reply', 'Only a top-level comment can be pinned.');
  await store.transact(async (tx) => {
    // One pinned comment per video.
    await tx.db.updateTable('video_comments').set({ pinned: 0 }).where('video_id', '=', videoId).where('pinned', '=', 1).execute();
    if (pinned) await tx.db.updateTable('video_comments').set({ pinned: 1 }).where('id', '=', commentId).execute();
  });
  return { pinned };
}

export async function likeComment(reelm: Reelm, viewer: Viewer, videoId: string, commentId: string, on: boolean) {
  const post = await visiblePost(reelm, viewer, videoId);
  const store = home(reelm, viewer);
  // A like of a comment that is not (or no longer) there would be stored here and dropped there.
  if (on && reelm.realms.has(post.video_realm)) {
    const c = await reelm.realms
      .get(post.video_realm)
      .db.selectFrom('video_comments')
      .select('id')
      .where('id', '=', commentId)
      .where('video_id', '=', videoId)
      .executeTakeFirst();
    if (!c) throw notFound('That comment');
  }
  await store.transact(async (tx) => {
    const existing = await tx.db
      .selectFrom('comment_likes')
      .selectAll()
      .where('user_id', '=', viewer.userId)
      .where('comment_id', '=', commentId)
      .executeTakeFirst();
    if (on && !existing) {
      const id = newId();
      await tx.db
        .insertInto('comment_likes')
        .values({ id, user_id: viewer.userId, comment_id: commentId, video_id: videoId, video_realm: post.video_realm, created_at: Date.now() })
        .execute();
      await relay(tx, post.video_realm, 'social.engagement', {
        key: id,
        kind: 'comment_like',
        video_id: videoId,
        comment_id: commentId,
        actor_id: viewer.userId,
        actor_realm: viewer.realm,
        actor_handle: viewer.handle,
        at: Date.now(),
      });
    } else if (!on && existing) {
      await tx.db.deleteFrom('comment_likes').where('id', '=', existing.id).execute();
      await relay(tx, existing.video_realm, 'social.engagement_removed', { key: existing.id, video_id: videoId });
    }
  });
  return { liked: on };
}

export interface CommentView {
  id: string;
  parentId: string | null;
  author: { id: string; handle: string; displayName: string; realm: string };
  body: string;
  entities: TextEntity[];
  likeCount: number;
  replyCount: number;
  pinned: boolean;
  likedByMe: boolean;
  /** published for everyone; the author also sees their own pending and rejected comments */
  state: 'pending' | 'published' | 'rejected';
  rejection: { code: string; message: string } | null;
  createdAt: string;
}

/** Comments are served from the video's realm; comments of accounts blocked either way are left out. */
export async function listComments(
  reelm: Reelm,
  viewer: Viewer | null,
  videoRealm: string,
  videoId: string,
  parentId: string | null,
  cursor: string | undefined,
  limit: number,
) {
  if (!reelm.realms.has(videoRealm)) return { items: [] as CommentView[], nextCursor: null };
  const db = reelm.realms.get(videoRealm).db;
  let q = db.selectFrom('video_comments').selectAll().where('video_id', '=', videoId);
  q = parentId ? q.where('parent_id', '=', parentId) : q.where('parent_id', 'is', null);
  // Pinned first (first page only), then oldest first (a conversation reads top-down); the cursor is the last id.
  if (cursor) q = q.where('pinned', '=', 0).where('id', '>', cursor);
  const rows = await q
    .orderBy('pinned', 'desc')
    .orderBy('id', 'asc')
    .limit(limit + 1)
    .execute();
  const hidden = viewer ? await blockedSet(reelm.realms.get(viewer.realm).db, viewer.userId) : new Set<string>();
  const chosen = viewer ? await commentFilter(reelm.realms.get(viewer.realm).db, viewer.userId) : await commentFilter(db, null);
  const page = rows.slice(0, limit);
  const liked =
    viewer && page.length
      ? new Set(
          (
            await reelm.realms
              .get(viewer.realm)
              .db.selectFrom('comment_likes')
              .select('comment_id')
              .where('user_id', '=', viewer.userId)
              .where(
                'comment_id',
                'in',
                page.map((r) => r.id),
              )
              .execute()
          ).map((r) => r.comment_id),
        )
      : new Set<string>();
  const items: CommentView[] = page
    .filter((r) => !hidden.has(r.author_id) && !chosen.hides(r))
    .map((r) => ({
      id: r.id,
      parentId: r.parent_id,
      author: { id: r.author_id, handle: r.author_handle, displayName: r.author_display_name, realm: r.author_realm },
      body: r.body,
      entities: JSON.parse(r.entities) as TextEntity[],
      likeCount: r.like_count,
      replyCount: r.reply_count,
      pinned: r.pinned === 1,
      likedByMe: liked.has(r.id),
      state: 'published' as const,
      rejection: null,
      createdAt: new Date(Number(r.created_at)).toISOString(),
    }));
  if (viewer && !cursor) items.unshift(...(await ownUnpublished(reelm, viewer, videoId, parentId)));
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}

/** The viewer's own comments the video's realm has not published (yet): shown to them, with the state. */
async function ownUnpublished(reelm: Reelm, viewer: Viewer, videoId: string, parentId: string | null): Promise<CommentView[]> {
  const db = reelm.realms.get(viewer.realm).db;
  let q = db.selectFrom('comments').selectAll().where('author_id', '=', viewer.userId).where('video_id', '=', videoId).where('state', '!=', 'published');
  q = parentId ? q.where('parent_id', '=', parentId) : q.where('parent_id', 'is', null);
  const [me, rows] = await Promise.all([
    db.selectFrom('users').select(['handle', 'display_name']).where('id', '=', viewer.userId).executeTakeFirstOrThrow(),
    q.orderBy('id', 'asc').limit(100).execute(),
  ]);
  return rows.map((c) => ({
    id: c.id,
    parentId: c.parent_id,
    author: { id: viewer.userId, handle: me.handle, displayName: me.display_name, realm: viewer.realm },
    body: c.body,
    entities: [],
    likeCount: 0,
    replyCount: 0,
    pinned: false,
    likedByMe: false,
    state: c.state,
    rejection: rejectionView(c.state, c.reason),
    createdAt: new Date(Number(c.created_at)).toISOString(),
  }));
}

// ---- favorites (saved videos, in named collections) ----

export async function createCollection(reelm: Reelm, viewer: Viewer, name: string) {
  const clean = cleanText(name, 60, 'collection_name');
  if (!clean) throw badRequest('invalid_collection_name', 'A collection needs a name.');
  const id = newId();
  try {
    await home(reelm, viewer).db.insertInto('favorite_collections').values({ id, user_id: viewer.userId, name: clean, created_at: Date.now() }).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('collection_exists', `You already have a collection called "${clean}".`);
    throw err;
  }
  return { id, name: clean };
}

export async function listCollections(reelm: Reelm, viewer: Viewer) {
  const db = home(reelm, viewer).db;
  const rows = await db.selectFrom('favorite_collections').select(['id', 'name']).where('user_id', '=', viewer.userId).orderBy('created_at').execute();
  const counts = await db
    .selectFrom('favorites')
    .select(['collection_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('user_id', '=', viewer.userId)
    .groupBy('collection_id')
    .execute();
  const n = new Map(counts.map((c) => [c.collection_id, Number(c.n)]));
  return rows.map((r) => ({ id: r.id, name: r.name, count: n.get(r.id) ?? 0 }));
}

export async function deleteCollection(reelm: Reelm, viewer: Viewer, collectionId: string) {
  const db = home(reelm, viewer).db;
  await db.transaction().execute(async (trx) => {
    const r = await trx.deleteFrom('favorite_collections').where('id', '=', collectionId).where('user_id', '=', viewer.userId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw notFound('That collection');
    // The saved videos stay saved, outside any collection.
    await trx.updateTable('favorites').set({ collection_id: null }).where('user_id', '=', viewer.userId).where('collection_id', '=', collectionId).execute();
  });
}

export async function favorite(reelm: Reelm, viewer: Viewer, videoId: string, collectionId: string | null) {
  const post = await visiblePost(reelm, viewer, videoId);
  const store = home(reelm, viewer);
  if (collectionId) {
    const c = await store.db
      .selectFrom('favorite_collections')
      .select('id')
      .where('id', '=', collectionId)
      .where('user_id', '=', viewer.userId)
      .executeTakeFirst();
    if (!c) throw notFound('That collection');
  }
  await store.transact(async (tx) => {
    const existing = await tx.db.selectFrom('favorites').select('id').where('user_id', '=', viewer.userId).where('video_id', '=', videoId).executeTakeFirst();
    if (existing) {
      await tx.db.updateTable('favorites').set({ collection_id: collectionId }).where('id', '=', existing.id).execute();
      return;
    }
    const id = newId();
    await tx.db
      .insertInto('favorites')
      .values({ id, user_id: viewer.userId, video_id: videoId, video_realm: post.video_realm, collection_id: collectionId, created_at: Date.now() })
      .execute();
    // Who saved what stays private: the video's realm learns only that one more person saved it.
    await relay(tx, post.video_realm, 'social.engagement', {
      key: id,
      kind: 'favorite',
      video_id: videoId,
      comment_id: null,
      actor_id: null,
      actor_realm: null,
      actor_handle: null,
      at: Date.now(),
    });
    await emitEngagement(reelm, tx.db, store, viewer.userId, [{ videoId, kind: 'favorite', at: Date.now() }]);
  });
  return { favorited: true, collectionId };
}

export async function unfavorite(reelm: Reelm, viewer: Viewer, videoId: string) {
  const store = home(reelm, viewer);
  await store.transact(async (tx) => {
    const row = await tx.db.selectFrom('favorites').selectAll().where('user_id', '=', viewer.userId).where('video_id', '=', videoId).executeTakeFirst();
    if (!row) return;
    await tx.db.deleteFrom('favorites').where('id', '=', row.id).execute();
    await relay(tx, row.video_realm, 'social.engagement_removed', { key: row.id, video_id: videoId });
  });
  return { favorited: false, collectionId: null };
}

export async function listFavorites(reelm: Reelm, viewer: Viewer, collectionId: string | null) {
  let q = home(reelm, viewer).db.selectFrom('favorites').select(['video_id', 'collection_id', 'created_at']).where('user_id', '=', viewer.userId);
  if (collectionId) q = q.where('collection_id', '=', collectionId);
  return q.orderBy('created_at', 'desc').limit(500).execute();
}

// ---- shares ----

export const SHARE_CHANNELS = ['link', 'message', 'other'] as const;

/**
 * One person's shares of one video count once per `limits.shareWindowSeconds`: a share
 * within the window stores nothing, counts nothing and says so (`counted: false`).
 */
export async function share(reelm: Reelm, viewer: Viewer, videoId: string, channel: (typeof SHARE_CHANNELS)[number]) {
  const post = await visiblePost(reelm, viewer, videoId);
  const store = home(reelm, viewer);
  const id = newId();
  const now = Date.now();
  const counted = await store.transact(async (tx) => {
    const recent = await tx.db
      .selectFrom('shares')
      .select('id')
      .where('user_id', '=', viewer.userId)
      .where('video_id', '=', videoId)
      .where('created_at', '>', now - reelm.config.limits.shareWindowSeconds * 1000)
      .executeTakeFirst();
    if (recent) return false;
    await tx.db
      .insertInto('shares')
      .values({ id, user_id: viewer.userId, video_id: videoId, video_realm: post.video_realm, channel, created_at: now })
      .execute();
    await relay(tx, post.video_realm, 'social.engagement', {
      key: id,
      kind: 'share',
      video_id: videoId,
      comment_id: null,
      actor_id: null,
      actor_realm: null,
      actor_handle: null,
      at: now,
    });
    await emitEngagement(reelm, tx.db, store, viewer.userId, [{ videoId, kind: 'share', at: now }]);
    return true;
  });
  const base = reelm.config.http.publicUrl?.replace(/\/$/, '') ?? '';
  return { shareUrl: `${base}/v/${videoId}`, counted };
}
