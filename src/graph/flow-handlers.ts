import { sql, type Transaction } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import type { ReceiveContext, ReceiveOutcome } from '../flows/declarations.ts';
import { emitFlow } from '../flows/outbox.ts';
import { hasFollowerEdge } from '../social/block-check.ts';
import { followerLeft } from '../social/reach.ts';
import { addFollowerEdge } from './edges.ts';
import type { FollowPairPayload, FollowPayload, ProfileSnapshotPayload } from './flows.ts';
import { holdAsRequest, isPrivateAccount } from './requests.ts';

// Receiver side of the graph flows, run in the followee's realm inside the
// delivery transaction. Counts change only when an edge really appears or
// disappears, so a replayed message cannot skew them.

export async function receiveFollow(trx: Transaction<RealmDatabase>, p: FollowPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const followee = await trx.selectFrom('users').select(['id', 'handle', 'display_name', 'avatar_key']).where('id', '=', p.followee_id).executeTakeFirst();
  if (!followee) return 'skipped'; // the followee has left this realm or deleted their account
  // A follow sent before the followee's block reached the follower's realm: refused, and undone there.
  const blocked = await trx
    .selectFrom('blocks')
    .select('blocked_id')
    .where('blocker_id', '=', p.followee_id)
    .where('blocked_id', '=', p.follower_id)
    .executeTakeFirst();
  if (blocked) {
    await emitFlow(ctx.store, trx, { flow: 'graph.followee_gone', to: p.follower_realm, payload: { follower_id: p.follower_id, followee_id: p.followee_id } });
    return 'skipped';
  }
  // A private account's realm never takes a plain follow: it becomes a request its owner decides (requests.ts).
  // A follow it already holds (approved before, announced again, e.g. after the followee moved realm) stays a follow.
  if (!(await hasFollowerEdge(trx, p.followee_id, p.follower_id)) && (await isPrivateAccount(trx, p.followee_id))) {
    await holdAsRequest(ctx.store, trx, p);
    return 'applied';
  }
  await addFollowerEdge(trx, p, ctx);
  return 'applied';
}

export async function receiveUnfollow(trx: Transaction<RealmDatabase>, p: FollowPairPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const deleted = await trx
    .deleteFrom('follower_edges')
    .where('followee_id', '=', p.followee_id)
    .where('follower_id', '=', p.follower_id)
    .returning('follower_realm')
    .executeTakeFirst();
  if (!deleted) return 'skipped';
  // The realm's last follower gone: the followee's followers-only posts leave it.
  await followerLeft(ctx.store, trx, p.followee_id, deleted.follower_realm);
  await trx
    .updateTable('users')
    .set({ follower_count: sql`follower_count - 1` })
    .where('id', '=', p.followee_id)
    .execute();
  return 'applied';
}

/** Refreshes the public snapshots other realms keep of a person after they edit their profile. */
export async function receiveProfileSnapshot(trx: Transaction<RealmDatabase>, p: ProfileSnapshotPayload): Promise<ReceiveOutcome> {
  const a = await trx
    .updateTable('follows')
    .set({ followee_handle: p.handle, followee_display_name: p.display_name, followee_avatar_key: p.avatar_key })
    .where('followee_id', '=', p.user_id)
    .executeTakeFirst();
  const b = await trx
    .updateTable('follower_edges')
    .set({ follower_handle: p.handle, follower_display_name: p.display_name, follower_avatar_key: p.avatar_key })
    .where('follower_id', '=', p.user_id)
    .executeTakeFirst();
  // the author shown on their posts (feeds, grids, search results) and their public comment copies
  const c = await trx
    .updateTable('post_index')
    .set({ owner_handle: p.handle, owner_display_name: p.display_name })
    .where('owner_id', '=', p.user_id)
    .executeTakeFirst();
  const d = await trx
    .updateTable('video_comments')
    .set({ author_handle: p.handle, author_display_name: p.display_name })
    .where('author_id', '=', p.user_id)
    .executeTakeFirst();
  const n = [a, b, c, d].reduce((sum, r) => sum + Number(r.numUpdatedRows), 0);
  return n > 0 ? 'applied' : 'skipped';
}

/** In the follower's realm: the person they followed deleted their account or left their realm. */
export async function receiveFolloweeGone(trx: Transaction<RealmDatabase>, p: FollowPairPayload): Promise<ReceiveOutcome> {
  const deleted = await trx.deleteFrom('follows').where('follower_id', '=', p.follower_id).where('followee_id', '=', p.followee_id).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) return 'skipped';
  await trx
    .updateTable('users')
    .set({ following_count: sql`following_count - 1` })
    .where('id', '=', p.follower_id)
    .execute();
  return 'applied';
}
