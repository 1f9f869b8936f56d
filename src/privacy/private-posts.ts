import type { Kysely, Transaction } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import { projectionFromIndex, publishProjection } from '../social/reach.ts';
import type { Audience } from '../social/schema.ts';
import type { RealmTransactor } from '../realm/transactor.ts';

// A private account's posts are followers-only. Rather than a second rule
// beside the audience, the audience itself is narrowed: a post whose owner
// chose "public" while private is STORED as followers-only and remembered in
// private_held_posts. So every path that already honours followers-only posts
// — the visibility rule, the reach of projections (a private account's posts
// stay in its realm and its approved followers' realms), media grants,
// trending, notifications, comment checks — honours private accounts as well.
// Going public restores the remembered posts; going private narrows the public ones.

type Db = Kysely<RealmDatabase> | Transaction<RealmDatabase>;
type Trx = Transaction<RealmDatabase>;

async function isPrivate(db: Db, userId: string): Promise<boolean> {
  const u = await db.selectFrom('users').select('is_private').where('id', '=', userId).executeTakeFirst();
  return Number(u?.is_private ?? 0) === 1;
}

/** The audience to store for a post its owner wants shown to `chosen`. */
export async function storedAudience(db: Db, ownerId: string, chosen: Audience): Promise<Audience> {
  return chosen === 'public' && (await isPrivate(db, ownerId)) ? 'followers' : chosen;
}

/** After a post's audience was stored (inside that transaction): remember a public choice narrowed by privacy, forget any other. */
export async function rememberChoice(trx: Trx, videoId: string, ownerId: string, chosen: Audience, stored: Audience) {
  if (chosen === 'public' && stored === 'followers') {
    await trx
      .insertInto('private_held_posts')
      .values({ video_id: videoId, owner_id: ownerId })
      .onConflict((oc) => oc.column('video_id').doNothing())
      .execute();
  } else {
    await trx.deleteFrom('private_held_posts').where('video_id', '=', videoId).execute();
  }
}

/**
 * In the owner's realm, inside the transaction that changes `users.is_private`:
 * re-audiences the owner's posts and republishes their projections (reach.ts
 * withdraws them from realms that may no longer hold them). Existing followers
 * stay; pending follow requests stay pending (nothing is approved automatically).
 */
export async function applyAccountPrivacy(tx: RealmTransactor, realms: readonly string[], ownerId: string, nowPrivate: boolean) {
  const [from, to]: [Audience, Audience] = nowPrivate ? ['public', 'followers'] : ['followers', 'public'];
  let q = tx.db.selectFrom('posts').select(['video_id', 'updated_at']).where('owner_id', '=', ownerId).where('audience', '=', from);
  if (!nowPrivate) q = q.where('video_id', 'in', tx.db.selectFrom('private_held_posts').select('video_id').where('owner_id', '=', ownerId));
  const posts = await q.orderBy('video_id').execute();
  const now = Date.now();
  for (const p of posts) {
    const updatedAt = Math.max(now, Number(p.updated_at) + 1);
    await tx.db.updateTable('posts').set({ audience: to, updated_at: updatedAt }).where('video_id', '=', p.video_id).execute();
    await rememberChoice(tx.db, p.video_id, ownerId, 'public', to);
    const row = await tx.db.selectFrom('post_index').selectAll().where('video_id', '=', p.video_id).executeTakeFirst();
    if (row) await publishProjection(tx, realms, { ...projectionFromIndex(row), audience: to, updated_at: updatedAt }, from);
  }
  return posts.length;
}
