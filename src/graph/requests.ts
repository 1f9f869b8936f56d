import { sql, type Transaction } from 'kysely';
import { AppError, notFound } from '../api/errors.ts';
import type { ReceiveContext, ReceiveOutcome } from '../flows/declarations.ts';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import { blockedEitherWay } from '../social/block-check.ts';
import { relay } from '../social/relay.ts';
import { addFollowerEdge } from './edges.ts';
import type { FollowDecidedPayload, FollowPairPayload, FollowPayload } from './flows.ts';
import type { PublicSnapshot } from './service.ts';

// Follow requests to private accounts, across realms. The requester's realm
// stores the request (follow_requests) and sends graph.follow_request; the
// private account's realm holds it (follow_request_edges) until its owner
// approves or declines, then answers with graph.follow_decided, which turns the
// request into a follow (follows) or marks it declined. A request to a public
// account (the requester's realm could not tell, e.g. realms in separate
// processes) is approved at once by the account's realm; a plain graph.follow
// that reaches a private account (it went private while the follow travelled)
// is held as a request and the follower's realm is told it is pending.

type Trx = Transaction<RealmDatabase>;
export type FollowOutcome = FollowDecidedPayload['outcome'];

export async function isPrivateAccount(trx: Trx | RealmStore['db'], userId: string): Promise<boolean> {
  const u = await trx.selectFrom('users').select('is_private').where('id', '=', userId).executeTakeFirst();
  return Number(u?.is_private ?? 0) === 1;
}

/** Requester's realm: asks to follow a private account (or one whose privacy this process cannot read). */
export async function requestFollow(store: RealmStore, requesterId: string, target: PublicSnapshot): Promise<{ state: 'following' | 'requested' }> {
  return store.db.transaction().execute(async (trx) => {
    if (await blockedEitherWay(trx, requesterId, target.id)) throw new AppError(403, 'cannot_follow', 'You cannot follow this account.');
    const already = await trx
      .selectFrom('follows')
      .select('followee_id')
      .where('follower_id', '=', requesterId)
      .where('followee_id', '=', target.id)
      .executeTakeFirst();
    if (already) return { state: 'following' as const };
    const pending = await trx
      .selectFrom('follow_requests')
      .select('state')
      .where('requester_id', '=', requesterId)
      .where('target_id', '=', target.id)
      .executeTakeFirst();
    if (pending?.state === 'pending') return { state: 'requested' as const };
    const now = Date.now();
    const row = {
      target_realm: target.realm,
      target_handle: target.handle,
      target_display_name: target.displayName,
      target_avatar_key: target.avatarKey,
      state: 'pending' as const,
      created_at: now,
      decided_at: null,
    };
    await trx
      .insertInto('follow_requests')
      .values({ requester_id: requesterId, target_id: target.id, ...row })
      .onConflict((oc) => oc.columns(['requester_id', 'target_id']).doUpdateSet(row))
      .execute();
    const me = await trx.selectFrom('users').select(['handle', 'display_name', 'avatar_key']).where('id', '=', requesterId).executeTakeFirstOrThrow();
    await relay(store, trx, target.realm, 'graph.follow_request', {
      follower_id: requesterId,
      followee_id: target.id,
      follower_realm: store.name,
      follower_handle: me.handle,
      follower_display_name: me.display_name,
      follower_avatar_key: me.avatar_key,
      followed_at: now,
    });
    // A same-realm public account approves inside this transaction.
    const after = await trx
      .selectFrom('follows')
      .select('followee_id')
      .where('follower_id', '=', requesterId)
      .where('followee_id', '=', target.id)
      .executeTakeFirst();
    return { state: after ? ('following' as const) : ('requested' as const) };
  });
}

/** Requester's realm: withdraws a pending request (DELETE …/follow). */
export async function cancelRequest(store: RealmStore, requesterId: string, targetId: string): Promise<boolean> {
  return store.db.transaction().execute(async (trx) => {
    const r = await trx
      .deleteFrom('follow_requests')
      .where('requester_id', '=', requesterId)
      .where('target_id', '=', targetId)
      .returning(['target_realm', 'state'])
      .executeTakeFirst();
    if (!r) return false;
    if (r.state === 'pending') await relay(store, trx, r.target_realm, 'graph.follow_request_cancel', { follower_id: requesterId, followee_id: targetId });
    return true;
  });
}

/** The private account's realm: graph.follow_request. */
export async function receiveFollowRequest(trx: Trx, p: FollowPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const followee = await trx.selectFrom('users').select(['id', 'is_private']).where('id', '=', p.followee_id).executeTakeFirst();
  if (!followee || (await blockedEitherWay(trx, p.followee_id, p.follower_id))) {
    await decide(ctx.store, trx, p.follower_realm, p.follower_id, p.followee_id, 'declined');
    return 'applied';
  }
  const edge = await trx
    .selectFrom('follower_edges')
    .select('follower_id')
    .where('followee_id', '=', p.followee_id)
    .where('follower_id', '=', p.follower_id)
    .executeTakeFirst();
  if (edge || Number(followee.is_private) !== 1) {
    // The decision first: the follower's realm must hold the follow before followers-only posts arrive (same ordered stream).
    await decide(ctx.store, trx, p.follower_realm, p.follower_id, p.followee_id, 'approved');
    await addFollowerEdge(trx, p, ctx);
    return 'applied';
  }
  await holdRequestEdge(trx, p);
  return 'applied';
}

/** The private account's realm: a plain follow arrived for a private account; held as a request, the follower's realm told. */
export async function holdAsRequest(store: RealmStore, trx: Trx, p: FollowPayload) {
  await holdRequestEdge(trx, p);
  await decide(store, trx, p.follower_realm, p.follower_id, p.followee_id, 'pending');
}

async function holdRequestEdge(trx: Trx, p: FollowPayload) {
  const r = await trx
    .insertInto('follow_request_edges')
    .values({
      target_id: p.followee_id,
      requester_id: p.follower_id,
      requester_realm: p.follower_realm,
      requester_handle: p.follower_handle,
      requester_display_name: p.follower_display_name,
      requester_avatar_key: p.follower_avatar_key,
      created_at: p.followed_at,
    })
    .onConflict((oc) => oc.columns(['target_id', 'requester_id']).doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return;
  await trx
    .insertInto('notifications')
    .values({
      id: newId(p.followed_at),
      user_id: p.followee_id,
      kind: 'follow_request',
      cause_key: `follow_request:${p.follower_id}:${p.followed_at}`,
      group_key: `follow_request:${p.follower_id}`,
      actor_id: p.follower_id,
      actor_realm: p.follower_realm,
      actor_handle: p.follower_handle,
      video_id: null,
      video_realm: null,
      comment_id: null,
      excerpt: '',
      created_at: p.followed_at,
      read_at: null,
    })
    .onConflict((oc) => oc.columns(['user_id', 'cause_key']).doNothing())
    .execute();
}

/** The private account's realm: graph.follow_request_cancel. */
export async function receiveRequestCancel(trx: Trx, p: FollowPairPayload): Promise<ReceiveOutcome> {
  const r = await trx.deleteFrom('follow_request_edges').where('target_id', '=', p.followee_id).where('requester_id', '=', p.follower_id).executeTakeFirst();
  await trx.deleteFrom('notifications').where('user_id', '=', p.followee_id).where('group_key', '=', `follow_request:${p.follower_id}`).execute();
  return Number(r.numDeletedRows) > 0 ? 'applied' : 'skipped';
}

async function decide(store: RealmStore, trx: Trx, followerRealm: string, followerId: string, followeeId: string, outcome: FollowOutcome) {
  const u = await trx.selectFrom('users').select(['handle', 'display_name', 'avatar_key']).where('id', '=', followeeId).executeTakeFirst();
  await relay(store, trx, followerRealm, 'graph.follow_decided', {
    follower_id: followerId,
    followee_id: followeeId,
    outcome,
    followee_handle: u?.handle ?? 'unknown',
    followee_display_name: u?.display_name ?? '',
    followee_avatar_key: u?.avatar_key ?? null,
    decided_at: Date.now(),
  });
}

/** The owner of a private account approves or declines a request (their realm). */
export async function decideRequest(store: RealmStore, ownerId: string, requesterId: string, approve: boolean): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    const req = await trx
      .selectFrom('follow_request_edges')
      .selectAll()
      .where('target_id', '=', ownerId)
      .where('requester_id', '=', requesterId)
      .executeTakeFirst();
    if (!req) throw notFound('That follow request');
    await trx.deleteFrom('follow_request_edges').where('target_id', '=', ownerId).where('requester_id', '=', requesterId).execute();
    await trx.deleteFrom('notifications').where('user_id', '=', ownerId).where('group_key', '=', `follow_request:${requesterId}`).execute();
    // The decision first: the requester's realm must hold the follow before followers-only posts arrive (same ordered stream).
    await decide(store, trx, req.requester_realm, requesterId, ownerId, approve ? 'approved' : 'declined');
    if (approve) {
      const p: FollowPayload = {
        follower_id: requesterId,
        followee_id: ownerId,
        follower_realm: req.requester_realm,
        follower_handle: req.requester_handle,
        follower_display_name: req.requester_display_name,
        follower_avatar_key: req.requester_avatar_key,
        followed_at: Date.now(),
      };
      await addFollowerEdge(trx, p, { store, from: store.name, messageId: newId() });
    }
  });
}

/** Requester's realm: graph.follow_decided — the request became a follow, was declined, or (a plain follow) is pending. */
export async function receiveFollowDecided(trx: Trx, p: FollowDecidedPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const requester = await trx.selectFrom('users').select('id').where('id', '=', p.follower_id).executeTakeFirst();
  if (!requester) return 'skipped';
  const snapshot = { target_handle: p.followee_handle, target_display_name: p.followee_display_name, target_avatar_key: p.followee_avatar_key };
  if (p.outcome === 'pending') {
    // The follow was written here as a plain follow; it becomes a pending request.
    const d = await trx.deleteFrom('follows').where('follower_id', '=', p.follower_id).where('followee_id', '=', p.followee_id).executeTakeFirst();
    if (Number(d.numDeletedRows) > 0) await bumpFollowing(trx, p.follower_id, -1);
    await trx
      .insertInto('follow_requests')
      .values({
        requester_id: p.follower_id,
        target_id: p.followee_id,
        target_realm: ctx.from,
        ...snapshot,
        state: 'pending',
        created_at: p.decided_at,
        decided_at: null,
      })
      .onConflict((oc) => oc.columns(['requester_id', 'target_id']).doUpdateSet({ state: 'pending', decided_at: null }))
      .execute();
    return 'applied';
  }
  const req = await trx
    .selectFrom('follow_requests')
    .select('state')
    .where('requester_id', '=', p.follower_id)
    .where('target_id', '=', p.followee_id)
    .executeTakeFirst();
  if (!req || req.state !== 'pending') {
    // Withdrawn meanwhile: an approval is undone on the other side, so both sides agree.
    const follows = await trx
      .selectFrom('follows')
      .select('followee_id')
      .where('follower_id', '=', p.follower_id)
      .where('followee_id', '=', p.followee_id)
      .executeTakeFirst();
    if (p.outcome === 'approved' && !follows)
      await relay(ctx.store, trx, ctx.from, 'graph.unfollow', { follower_id: p.follower_id, followee_id: p.followee_id });
    return 'skipped';
  }
  if (p.outcome === 'declined') {
    await trx
      .updateTable('follow_requests')
      .set({ state: 'declined', decided_at: p.decided_at })
      .where('requester_id', '=', p.follower_id)
      .where('target_id', '=', p.followee_id)
      .execute();
    return 'applied';
  }
  await trx.deleteFrom('follow_requests').where('requester_id', '=', p.follower_id).where('target_id', '=', p.followee_id).execute();
  const r = await trx
    .insertInto('follows')
    .values({
      follower_id: p.follower_id,
      followee_id: p.followee_id,
      followee_realm: ctx.from,
      followee_handle: p.followee_handle,
      followee_display_name: p.followee_display_name,
      followee_avatar_key: p.followee_avatar_key,
      created_at: p.decided_at,
    })
    .onConflict((oc) => oc.columns(['follower_id', 'followee_id']).doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) await bumpFollowing(trx, p.follower_id, 1);
  await trx
    .insertInto('notifications')
    .values({
      id: newId(p.decided_at),
      user_id: p.follower_id,
      kind: 'follow_approved',
      cause_key: `follow_approved:${p.followee_id}:${p.decided_at}`,
      group_key: `follow_approved:${p.followee_id}`,
      actor_id: p.followee_id,
      actor_realm: ctx.from,
      actor_handle: p.followee_handle,
      video_id: null,
      video_realm: null,
      comment_id: null,
      excerpt: '',
      created_at: p.decided_at,
      read_at: null,
    })
    .onConflict((oc) => oc.columns(['user_id', 'cause_key']).doNothing())
    .execute();
  return 'applied';
}

async function bumpFollowing(trx: Trx, userId: string, by: 1 | -1) {
  await trx
    .updateTable('users')
    .set({ following_count: sql`following_count + ${by}` })
    .where('id', '=', userId)
    .execute();
}

export interface RequestItem {
  id: string;
  realm: string;
  handle: string;
  displayName: string;
  avatarKey: string | null;
  requestedAt: number;
}

/** The private account's pending requests, newest first. */
export async function listIncoming(store: RealmStore, ownerId: string, limit: number): Promise<RequestItem[]> {
  const rows = await store.db
    .selectFrom('follow_request_edges')
    .selectAll()
    .where('target_id', '=', ownerId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.requester_id,
    realm: r.requester_realm,
    handle: r.requester_handle,
    displayName: r.requester_display_name,
    avatarKey: r.requester_avatar_key,
    requestedAt: Number(r.created_at),
  }));
}

/** The requests a person sent that are pending or were declined. */
export async function listSent(store: RealmStore, requesterId: string, limit: number) {
  const rows = await store.db
    .selectFrom('follow_requests')
    .selectAll()
    .where('requester_id', '=', requesterId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.target_id,
    realm: r.target_realm,
    handle: r.target_handle,
    displayName: r.target_display_name,
    avatarKey: r.target_avatar_key,
    requestedAt: Number(r.created_at),
    state: r.state,
  }));
}

/** Where the viewer stands with an account: following, requested, declined or none. */
export async function followState(store: RealmStore, viewerId: string, targetId: string): Promise<'following' | 'requested' | 'declined' | 'none'> {
  const f = await store.db
    .selectFrom('follows')
    .select('followee_id')
    .where('follower_id', '=', viewerId)
    .where('followee_id', '=', targetId)
    .executeTakeFirst();
  if (f) return 'following';
  const r = await store.db
    .selectFrom('follow_requests')
    .select('state')
    .where('requester_id', '=', viewerId)
    .where('target_id', '=', targetId)
    .executeTakeFirst();
  return r ? (r.state === 'pending' ? 'requested' : 'declined') : 'none';
}

/** Inside a block (blocker's realm): pending follow requests between the two end both ways (the blocked person sees a decline). */
export async function cutRequests(store: RealmStore, trx: Trx, blockerId: string, blocked: { id: string; realm: string }) {
  const mine = await trx
    .deleteFrom('follow_requests')
    .where('requester_id', '=', blockerId)
    .where('target_id', '=', blocked.id)
    .returning('state')
    .executeTakeFirst();
  if (mine?.state === 'pending') await relay(store, trx, blocked.realm, 'graph.follow_request_cancel', { follower_id: blockerId, followee_id: blocked.id });
  const theirs = await trx.deleteFrom('follow_request_edges').where('target_id', '=', blockerId).where('requester_id', '=', blocked.id).executeTakeFirst();
  if (Number(theirs.numDeletedRows) > 0) {
    await trx.deleteFrom('notifications').where('user_id', '=', blockerId).where('group_key', '=', `follow_request:${blocked.id}`).execute();
    await decide(store, trx, blocked.realm, blocked.id, blockerId, 'declined');
  }
}
