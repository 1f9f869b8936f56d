import type { Viewer } from '../api/auth.ts';
import { badRequest, conflict, forbidden, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import { isUniqueViolation } from '../realm/database.ts';
import { newId } from '../lib/ids.ts';
import { visiblePost } from './posts.ts';
import { relay } from './relay.ts';
import { recordFeedEvents } from '../feed/events.ts';
import { COMMENT_MAX, cleanText, parseEntities, resolveMentions, type TextEntity } from './text.ts';
import { blockedSet, follows } from './visibility.ts';

// The actor's side of engagement. Each action is first the person's own
// activity, stored in their home realm; in the same transaction its public
// copy is relayed to the video's realm (social.engagement / social.comment),
// where counts are recounted. Undoing removes both.

const home = (reelm: Reelm, viewer: Viewer) => reelm.realms.get(viewer.realm);

export async function like(reelm: Reelm, viewer: Viewer, videoId: string) {
  const post = await visiblePost(reelm, viewer, videoId);
  const store = home(reelm, viewer);
  let fresh = false;
  await store.db.transaction().execute(async (trx) => {
    const id = newId();
    const r = await trx
      .insertInto('likes')
      .values({ id, user_id: viewer.userId, video_id: videoId, video_realm: post.video_realm, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['user_id', 'video_id']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return; // already liked: liking is idempotent
    fresh = true;
    await relay(store, trx, post.video_realm, 'social.engagement', {
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
  if (fresh) await recordFeedEvents(reelm, viewer.realm, viewer.userId, [{ videoId, kind: 'like', at: Date.now() }]);
  return { liked: true };
}

export async function unlike(reelm: Reelm, viewer: Viewer, videoId: string) {
  const store = home(reelm, viewer);
  await store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('likes').selectAll().where('user_id', '=', viewer.userId).where('video_id', '=', videoId).executeTakeFirst();
    if (!row) return;
    await trx.deleteFrom('likes').where('id', '=', row.id).execute();
    await relay(store, trx, row.video_realm, 'social.engagement_removed', { key: row.id, video_id: videoId });
  });
  return { liked: false };
}

export async function comment(reelm: Reelm, viewer: Viewer, videoId: string, body: string, parentId: string | null) {
  const post = await visiblePost(reelm, viewer, videoId);
  const store = home(reelm, viewer);
  if (post.owner_id !== viewer.userId) {
    if (post.comment_policy === 'no_one') throw forbidden('comments_off', 'The creator has turned comments off for this video.');
    if (post.comment_policy === 'followers' && !(await follows(store.db, viewer.userId, post.owner_id))) {
      throw forbidden('comments_followers_only', 'Only people who follow the creator can comment on this video.');
    }
  }
  const text = cleanText(body, COMMENT_MAX, 'comment');
  if (!text) throw badRequest('empty_comment', 'A comment cannot be empty.');
  const entities: TextEntity[] = await resolveMentions(parseEntities(text), async (h) => {
    const e = await reelm.directory.byHandle(h);
    return e ? { userId: e.userId, realm: e.realm } : undefined;
  });
  const me = await store.db.selectFrom('users').select(['handle', 'display_name']).where('id', '=', viewer.userId).executeTakeFirstOrThrow();
  const id = newId();
  const at = Date.now();
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('comments')
      .values({ id, author_id: viewer.userId, video_id: videoId, video_realm: post.video_realm, parent_id: parentId, body: text, created_at: at })
      .execute();
    await relay(store, trx, post.video_realm, 'social.comment', {
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
  });
  return { id, videoId, parentId, body: text, entities, createdAt: new Date(at).toISOString() };
}

/** The author deletes their comment, or the creator deletes a comment on their video. */
export async function deleteComment(reelm: Reelm, viewer: Viewer, commentId: string) {
  const store = home(reelm, viewer);
  const own = await store.db.selectFrom('comments').selectAll().where('id', '=', commentId).where('author_id', '=', viewer.userId).executeTakeFirst();
  if (own) {
    await store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('comments').where('id', '=', commentId).execute();
      await relay(store, trx, own.video_realm, 'social.comment_removed', { comment_id: commentId, video_id: own.video_id });
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
  await store.db.transaction().execute(async (trx) => {
    await relay(store, trx, store.name, 'social.comment_removed', { comment_id: commentId, video_id: onMine.video_id });
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
  await store.db.transaction().execute(async (trx) => {
    // One pinned comment per video.
    await trx.updateTable('video_comments').set({ pinned: 0 }).where('video_id', '=', videoId).where('pinned', '=', 1).execute();
    if (pinned) await trx.updateTable('video_comments').set({ pinned: 1 }).where('id', '=', commentId).execute();
  });
  return { pinned };
}

export async function likeComment(reelm: Reelm, viewer: Viewer, videoId: string, commentId: string, on: boolean) {
  const post = await visiblePost(reelm, viewer, videoId);
  const store = home(reelm, viewer);
  await store.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('comment_likes')
      .selectAll()
      .where('user_id', '=', viewer.userId)
      .where('comment_id', '=', commentId)
      .executeTakeFirst();
    if (on && !existing) {
      const id = newId();
      await trx
        .insertInto('comment_likes')
        .values({ id, user_id: viewer.userId, comment_id: commentId, video_id: videoId, video_realm: post.video_realm, created_at: Date.now() })
        .execute();
      await relay(store, trx, post.video_realm, 'social.engagement', {
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
      await trx.deleteFrom('comment_likes').where('id', '=', existing.id).execute();
      await relay(store, trx, existing.video_realm, 'social.engagement_removed', { key: existing.id, video_id: videoId });
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
    .filter((r) => !hidden.has(r.author_id))
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
      createdAt: new Date(Number(r.created_at)).toISOString(),
    }));
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
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
  const fresh = await store.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('favorites').select('id').where('user_id', '=', viewer.userId).where('video_id', '=', videoId).executeTakeFirst();
    if (existing) {
      await trx.updateTable('favorites').set({ collection_id: collectionId }).where('id', '=', existing.id).execute();
      return false;
    }
    const id = newId();
    await trx
      .insertInto('favorites')
      .values({ id, user_id: viewer.userId, video_id: videoId, video_realm: post.video_realm, collection_id: collectionId, created_at: Date.now() })
      .execute();
    // Who saved what stays private: the video's realm learns only that one more person saved it.
    await relay(store, trx, post.video_realm, 'social.engagement', {
      key: id,
      kind: 'favorite',
      video_id: videoId,
      comment_id: null,
      actor_id: null,
      actor_realm: null,
      actor_handle: null,
      at: Date.now(),
    });
    return true;
  });
  if (fresh) await recordFeedEvents(reelm, viewer.realm, viewer.userId, [{ videoId, kind: 'favorite', at: Date.now() }]);
  return { favorited: true, collectionId };
}

export async function unfavorite(reelm: Reelm, viewer: Viewer, videoId: string) {
  const store = home(reelm, viewer);
  await store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('favorites').selectAll().where('user_id', '=', viewer.userId).where('video_id', '=', videoId).executeTakeFirst();
    if (!row) return;
    await trx.deleteFrom('favorites').where('id', '=', row.id).execute();
    await relay(store, trx, row.video_realm, 'social.engagement_removed', { key: row.id, video_id: videoId });
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

export async function share(reelm: Reelm, viewer: Viewer, videoId: string, channel: (typeof SHARE_CHANNELS)[number]) {
  const post = await visiblePost(reelm, viewer, videoId);
  const store = home(reelm, viewer);
  const id = newId();
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('shares')
      .values({ id, user_id: viewer.userId, video_id: videoId, video_realm: post.video_realm, channel, created_at: Date.now() })
      .execute();
    await relay(store, trx, post.video_realm, 'social.engagement', {
      key: id,
      kind: 'share',
      video_id: videoId,
      comment_id: null,
      actor_id: null,
      actor_realm: null,
      actor_handle: null,
      at: Date.now(),
    });
  });
  await recordFeedEvents(reelm, viewer.realm, viewer.userId, [{ videoId, kind: 'share', at: Date.now() }]);
  const base = reelm.config.http.publicUrl?.replace(/\/$/, '') ?? '';
  return { shareUrl: `${base}/v/${videoId}` };
}
