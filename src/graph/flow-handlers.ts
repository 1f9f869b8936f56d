import { sql, type Transaction } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import type { ReceiveContext, ReceiveOutcome } from '../flows/declarations.ts';
import { emitFlow } from '../flows/outbox.ts';
import { followerJoined, followerLeft } from '../social/reach.ts';

// Receiver side of the graph flows, run in the followee's realm inside the
// delivery transaction. Counts change only when an edge really appears or
// disappears, so a replayed message cannot skew them.

export interface FollowPayload {
  follower_id: string;
  followee_id: string;
  follower_realm: string;
  follower_handle: string;
  follower_display_name: string;
  follower_avatar_key: string | null;
  followed_at: number;
}

export async function receiveFollow(trx: Transaction<RealmDatabase>, p: FollowPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const followee = await trx.selectFrom('users').select(['id', 'handle', 'display_name', 'avatar_key']).where('id', '=', p.followee_id).executeTakeFirst();
  if (!followee) return 'skipped'; // the followee has left this realm or deleted their account
  const inserted = await trx
    .insertInto('follower_edges')
    .values({
      followee_id: p.followee_id,
      follower_id: p.follower_id,
      follower_realm: p.follower_realm,
      follower_handle: p.follower_handle,
      follower_display_name: p.follower_display_name,
      follower_avatar_key: p.follower_avatar_key,
      created_at: p.followed_at,
    })
    .onConflict((oc) => oc.columns(['followee_id', 'follower_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    await trx
      .updateTable('users')
      .set({ follower_count: sql`follower_count + 1` })
      .where('id', '=', p.followee_id)
      .execute();
    // Followers-only posts go only to realms where a follower lives: the first one here brings them.
    await followerJoined(ctx.store, trx, p.followee_id, p.follower_realm);
    // A follower's realm in another process only knew the handle from the directory: send the real public snapshot back.
    if (ctx.from !== ctx.store.name) {
      await emitFlow(ctx.store, trx, {
        flow: 'profile.snapshot',
        to: ctx.from,
        payload: { user_id: followee.id, handle: followee.handle, display_name: followee.display_name, avatar_key: followee.avatar_key },
      });
    }
  }
  return 'applied';
}

export interface UnfollowPayload {
  follower_id: string;
  followee_id: string;
}

export async function receiveUnfollow(trx: Transaction<RealmDatabase>, p: UnfollowPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
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

export interface ProfileSnapshotPayload {
  user_id: string;
  handle: string;
  display_name: string;
  avatar_key: string | null;
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
  return Number(a.numUpdatedRows) + Number(b.numUpdatedRows) > 0 ? 'applied' : 'skipped';
}

export interface FolloweeGonePayload {
  follower_id: string;
  followee_id: string;
}

/** In the follower's realm: the person they followed deleted their account or left their realm. */
export async function receiveFolloweeGone(trx: Transaction<RealmDatabase>, p: FolloweeGonePayload): Promise<ReceiveOutcome> {
  const deleted = await trx.deleteFrom('follows').where('follower_id', '=', p.follower_id).where('followee_id', '=', p.followee_id).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) return 'skipped';
  await trx
    .updateTable('users')
    .set({ following_count: sql`following_count - 1` })
    .where('id', '=', p.follower_id)
    .execute();
  return 'applied';
}
