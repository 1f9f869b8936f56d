import { sql, type Transaction } from 'kysely';
import type { ReceiveContext } from '../flows/declarations.ts';
import { emitFlow } from '../flows/outbox.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import { followerJoined } from '../social/reach.ts';
import type { FollowPayload } from './flows.ts';

// The followee's side of a follow edge, shared by a plain follow (graph.follow)
// and an approved follow request (requests.ts).

/** Adds the inbound edge (once), keeps the follower count exact and brings followers-only posts to the follower's realm. */
export async function addFollowerEdge(trx: Transaction<RealmDatabase>, p: FollowPayload, ctx: ReceiveContext): Promise<boolean> {
  const followee = await trx
    .selectFrom('users')
    .select(['id', 'handle', 'display_name', 'avatar_key'])
    .where('id', '=', p.followee_id)
    .executeTakeFirstOrThrow();
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
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  await trx
    .updateTable('users')
    .set({ follower_count: sql`follower_count + 1` })
    .where('id', '=', p.followee_id)
    .execute();
  // Followers-only posts go only to realms where a follower lives: the first one here brings them.
  await followerJoined(ctx.store, trx, p.followee_id, p.follower_realm);
  // A follower's realm in another process only knew the handle from the directory: send the real public snapshot back.
  if (p.follower_realm !== ctx.store.name) {
    await emitFlow(ctx.store, trx, {
      flow: 'profile.snapshot',
      to: p.follower_realm,
      payload: { user_id: followee.id, handle: followee.handle, display_name: followee.display_name, avatar_key: followee.avatar_key },
    });
  }
  return true;
}
