import type { Kysely, Transaction } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';

// A block either way, as one realm knows it about one of its residents: the
// resident's own `blocks` row, or a `block_edges` row delivered by social.block
// from the other person's realm. (blockedSet in visibility.ts is the set form.)

type Db = Kysely<RealmDatabase> | Transaction<RealmDatabase>;

export async function blockedEitherWay(db: Db, residentId: string, otherId: string): Promise<boolean> {
  const mine = await db.selectFrom('blocks').select('blocked_id').where('blocker_id', '=', residentId).where('blocked_id', '=', otherId).executeTakeFirst();
  if (mine) return true;
  return !!(await db.selectFrom('block_edges').select('blocker_id').where('blocker_id', '=', otherId).where('blocked_id', '=', residentId).executeTakeFirst());
}

/** Whether `followerId` follows the resident `followeeId`, as the followee's realm knows it (its follower edges). */
export async function hasFollowerEdge(db: Db, followeeId: string, followerId: string): Promise<boolean> {
  return !!(await db
    .selectFrom('follower_edges')
    .select('follower_id')
    .where('followee_id', '=', followeeId)
    .where('follower_id', '=', followerId)
    .executeTakeFirst());
}
