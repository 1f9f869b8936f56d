import { sql, type Transaction } from 'kysely';
import { AppError, badRequest } from '../api/errors.ts';
import { sendFlow } from '../flows/outbox.ts';
import { blockedEitherWay } from '../social/block-check.ts';
import { relay } from '../social/relay.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import { blankExcerptsAfterUnfollow } from '../social/notify.ts';
import { timeIdCursor } from '../api/cursor.ts';
import { cutRequests } from './requests.ts';
import type { RealmTransactor } from '../realm/transactor.ts';

// Follow and unfollow, run in the follower's home realm. The follower's side
// (the follows row and their following count) commits together with the
// graph.follow / graph.unfollow message; the followee's realm applies its side
// when the message arrives. Same-realm follows take the same path, so there is
// one way the graph changes, not two.

/** The public facts about a person that another realm may keep next to an edge. */
export interface PublicSnapshot {
  id: string;
  realm: string;
  handle: string;
  displayName: string;
  avatarKey: string | null;
}

export async function follow(store: RealmStore, followerId: string, target: PublicSnapshot): Promise<{ created: boolean }> {
  if (followerId === target.id) throw badRequest('cannot_follow_self', 'You cannot follow yourself.');
  return store.transact(async (tx) => {
    // A block either way (own `blocks`, or `block_edges` delivered by social.block) rules a follow out.
    if (await blockedEitherWay(tx.db, followerId, target.id)) throw new AppError(403, 'cannot_follow', 'You cannot follow this account.');
    const me = await tx.db.selectFrom('users').select(['id', 'handle', 'display_name', 'avatar_key']).where('id', '=', followerId).executeTakeFirstOrThrow();
    const now = Date.now();
    const r = await tx.db
      .insertInto('follows')
      .values({
        follower_id: followerId,
        followee_id: target.id,
        followee_realm: target.realm,
        followee_handle: target.handle,
        followee_display_name: target.displayName,
        followee_avatar_key: target.avatarKey,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['follower_id', 'followee_id']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return { created: false };
    await tx.db
      .updateTable('users')
      .set({ following_count: sql`following_count + 1` })
      .where('id', '=', followerId)
      .execute();
    // relay: a same-realm follow is applied in this transaction, like a same-realm comment, so a
    // comment sent right after following finds the edge (cross-realm, both share one ordered stream).
    await relay(tx, target.realm, 'graph.follow', {
      follower_id: followerId,
      followee_id: target.id,
      follower_realm: store.name,
      follower_handle: me.handle,
      follower_display_name: me.display_name,
      follower_avatar_key: me.avatar_key,
      followed_at: now,
    });
    return { created: true };
  });
}

/**
 * After an import (src/rights/import.ts): the person's restored follows are announced again to each
 * followee's realm, which dropped the edge when the account was deleted (graph.follow: a private
 * followee gets a request again, a followee who blocked them refuses it, a gone one skips it).
 */
export async function announceFollows(tx: RealmTransactor, followerId: string) {
  const me = await tx.db.selectFrom('users').select(['handle', 'display_name', 'avatar_key']).where('id', '=', followerId).executeTakeFirstOrThrow();
  const rows = await tx.db.selectFrom('follows').select(['followee_id', 'followee_realm', 'created_at']).where('follower_id', '=', followerId).execute();
  for (const r of rows)
    await relay(tx, r.followee_realm, 'graph.follow', {
      follower_id: followerId,
      followee_id: r.followee_id,
      follower_realm: tx.realm,
      follower_handle: me.handle,
      follower_display_name: me.display_name,
      follower_avatar_key: me.avatar_key,
      followed_at: Number(r.created_at),
    });
  return rows.length;
}

export async function unfollow(store: RealmStore, followerId: string, followeeId: string): Promise<{ removed: boolean }> {
  return store.transact(async (tx) => {
    const edge = await tx.db
      .selectFrom('follows')
      .select('followee_realm')
      .where('follower_id', '=', followerId)
      .where('followee_id', '=', followeeId)
      .executeTakeFirst();
    if (!edge) return { removed: false };
    await tx.db.deleteFrom('follows').where('follower_id', '=', followerId).where('followee_id', '=', followeeId).execute();
    await tx.db
      .updateTable('users')
      .set({ following_count: sql`following_count - 1` })
      .where('id', '=', followerId)
      .execute();
    // What they read as a follower (caption and comment excerpts of followers-only posts) they may read no more.
    await blankExcerptsAfterUnfollow(tx.db, followerId, followeeId);
    // To the realm the follow was sent to, even if the followee has moved since: it forwards or skips.
    await relay(tx, edge.followee_realm, 'graph.unfollow', { follower_id: followerId, followee_id: followeeId });
    return { removed: true };
  });
}

/**
 * Cuts the follow edges between a blocker and the person they block, both
 * ways, inside the blocker's block transaction (blocker's realm). The
 * blocker's own follow goes by graph.unfollow; the blocked person's follow of
 * the blocker is removed here (follower_edges) and in their realm by the
 * social.block receiver (dropFollow), which follows it in the same outbox order.
 */
export async function cutEdges(tx: RealmTransactor, blockerId: string, blocked: { id: string; realm: string }) {
  const mine = await tx.db.deleteFrom('follows').where('follower_id', '=', blockerId).where('followee_id', '=', blocked.id).executeTakeFirst();
  if (Number(mine.numDeletedRows) > 0) {
    await tx.db
      .updateTable('users')
      .set({ following_count: sql`following_count - 1` })
      .where('id', '=', blockerId)
      .execute();
    await sendFlow(tx, { flow: 'graph.unfollow', to: blocked.realm, payload: { follower_id: blockerId, followee_id: blocked.id } });
  }
  await cutRequests(tx, blockerId, blocked);
  const theirs = await tx.db.deleteFrom('follower_edges').where('followee_id', '=', blockerId).where('follower_id', '=', blocked.id).executeTakeFirst();
  if (Number(theirs.numDeletedRows) > 0) {
    await tx.db
      .updateTable('users')
      .set({ follower_count: sql`follower_count - 1` })
      .where('id', '=', blockerId)
      .execute();
  }
}

/** In the blocked person's realm: their follow of the blocker goes (social.block, graph.follow refused). */
export async function dropFollow(trx: Transaction<RealmDatabase>, followerId: string, followeeId: string): Promise<boolean> {
  const deleted = await trx.deleteFrom('follows').where('follower_id', '=', followerId).where('followee_id', '=', followeeId).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) return false;
  await trx
    .updateTable('users')
    .set({ following_count: sql`following_count - 1` })
    .where('id', '=', followerId)
    .execute();
  return true;
}

/**
 * After a person changes their handle, display name or avatar: tells every
 * realm showing it — its own (own posts and comments), realms holding an edge
 * with them, every realm when they have posts (post projections are in every
 * realm), the realms of videos they commented on. Call inside the change's transaction.
 */
export async function publishProfileSnapshot(tx: RealmTransactor, userId: string, everyRealm: readonly string[] = []) {
  const u = await tx.db.selectFrom('users').select(['handle', 'display_name', 'avatar_key']).where('id', '=', userId).executeTakeFirstOrThrow();
  const out = await tx.db.selectFrom('follows').select('followee_realm as realm').distinct().where('follower_id', '=', userId).execute();
  const inn = await tx.db.selectFrom('follower_edges').select('follower_realm as realm').distinct().where('followee_id', '=', userId).execute();
  const commented = await tx.db.selectFrom('comments').select('video_realm as realm').distinct().where('author_id', '=', userId).execute();
  const posted = await tx.db.selectFrom('posts').select('video_id').where('owner_id', '=', userId).limit(1).executeTakeFirst();
  const realms = new Set([tx.realm, ...[...out, ...inn, ...commented].map((r) => r.realm), ...(posted ? everyRealm : [])]);
  for (const to of realms) {
    await sendFlow(tx, {
      flow: 'profile.snapshot',
      to,
      payload: { user_id: userId, handle: u.handle, display_name: u.display_name, avatar_key: u.avatar_key },
    });
  }
}

/**
 * Before a person's account is deleted or moved out of this realm: undoes
 * their side of the graph in every other realm (their follows there, and
 * others' follows of them). Call inside the transaction that removes them;
 * local rows go with the users row (foreign keys cascade).
 */
export async function detachFromGraph(tx: RealmTransactor, userId: string) {
  const following = await tx.db.selectFrom('follows').select(['followee_id', 'followee_realm']).where('follower_id', '=', userId).execute();
  for (const f of following) {
    await sendFlow(tx, { flow: 'graph.unfollow', to: f.followee_realm, payload: { follower_id: userId, followee_id: f.followee_id } });
  }
  const followers = await tx.db.selectFrom('follower_edges').select(['follower_id', 'follower_realm']).where('followee_id', '=', userId).execute();
  for (const f of followers) {
    await sendFlow(tx, { flow: 'graph.followee_gone', to: f.follower_realm, payload: { follower_id: f.follower_id, followee_id: userId } });
  }
}

export interface EdgeItem {
  id: string;
  realm: string;
  handle: string;
  displayName: string;
  avatarKey: string | null;
  followedAt: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const MAX_PAGE = 100;

export async function listFollowers(store: RealmStore, userId: string, opts: { cursor?: string; limit?: number }): Promise<Page<EdgeItem>> {
  const limit = Math.min(opts.limit ?? 20, MAX_PAGE);
  let q = store.db.selectFrom('follower_edges').selectAll().where('followee_id', '=', userId);
  if (opts.cursor) {
    const { at: t, id } = timeIdCursor.decode(opts.cursor)!;
    q = q.where((eb) => eb.or([eb('created_at', '<', t), eb.and([eb('created_at', '=', t), eb('follower_id', '<', id)])]));
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('follower_id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map((r) => ({
    id: r.follower_id,
    realm: r.follower_realm,
    handle: r.follower_handle,
    displayName: r.follower_display_name,
    avatarKey: r.follower_avatar_key,
    followedAt: Number(r.created_at),
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? timeIdCursor.encode({ at: last.followedAt, id: last.id }) : null };
}

export async function listFollowing(store: RealmStore, userId: string, opts: { cursor?: string; limit?: number }): Promise<Page<EdgeItem>> {
  const limit = Math.min(opts.limit ?? 20, MAX_PAGE);
  let q = store.db.selectFrom('follows').selectAll().where('follower_id', '=', userId);
  if (opts.cursor) {
    const { at: t, id } = timeIdCursor.decode(opts.cursor)!;
    q = q.where((eb) => eb.or([eb('created_at', '<', t), eb.and([eb('created_at', '=', t), eb('followee_id', '<', id)])]));
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('followee_id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map((r) => ({
    id: r.followee_id,
    realm: r.followee_realm,
    handle: r.followee_handle,
    displayName: r.followee_display_name,
    avatarKey: r.followee_avatar_key,
    followedAt: Number(r.created_at),
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? timeIdCursor.encode({ at: last.followedAt, id: last.id }) : null };
}
