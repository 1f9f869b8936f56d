import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Viewer } from '../api/auth.ts';
import type { Reelm } from '../context.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import { moderationAllows } from './moderation-visibility.ts';

// Who may see a post, in ONE place, used by every list and every lookup:
//  • public — everyone, unless a block stands between viewer and creator;
//  • followers — the creator and people who follow them (the viewer's own
//    `follows`, in the viewer's realm);
//  • private — the creator only;
//  • a block either way (the viewer's own `blocks`, or `block_edges` the
//    blocker's realm delivered) hides the creator's content from the viewer.
// Lists for a logged-in person run on their home realm, where all of these
// facts are local; anonymous lists see public posts only.

type EB = ExpressionBuilder<RealmDatabase, 'post_index'>;

export function visibleTo(eb: EB, viewerId: string | null) {
  if (!viewerId) return eb.and([eb('post_index.audience', '=', 'public'), moderationAllows(eb, null)]);
  return eb.and([
    moderationAllows(eb, viewerId),
    eb.or([
      eb('post_index.audience', '=', 'public'),
      eb('post_index.owner_id', '=', viewerId),
      eb.and([
        eb('post_index.audience', '=', 'followers'),
        eb('post_index.owner_id', 'in', eb.selectFrom('follows').select('follows.followee_id').where('follows.follower_id', '=', viewerId)),
      ]),
    ]),
    eb('post_index.owner_id', 'not in', eb.selectFrom('blocks').select('blocks.blocked_id').where('blocks.blocker_id', '=', viewerId)),
    eb('post_index.owner_id', 'not in', eb.selectFrom('block_edges').select('block_edges.blocker_id').where('block_edges.blocked_id', '=', viewerId)),
  ]);
}

/** The realm store whose post_index serves this viewer's lists. */
export function listStore(reelm: Reelm, viewer: Viewer | null, preferRealm?: string): RealmStore {
  if (viewer && reelm.realms.has(viewer.realm)) return reelm.realms.get(viewer.realm);
  if (preferRealm && reelm.realms.has(preferRealm)) return reelm.realms.get(preferRealm);
  return reelm.realms.all()[0]!;
}

/** Ids of accounts the viewer must not see (blocked by them, or blocking them). */
export async function blockedSet(db: Kysely<RealmDatabase>, viewerId: string | null): Promise<Set<string>> {
  if (!viewerId) return new Set();
  const a = await db.selectFrom('blocks').select('blocked_id as id').where('blocker_id', '=', viewerId).execute();
  const b = await db.selectFrom('block_edges').select('blocker_id as id').where('blocked_id', '=', viewerId).execute();
  return new Set([...a, ...b].map((r) => r.id));
}

/** Does the viewer follow this account? (their own follow list, in their realm) */
export async function follows(db: Kysely<RealmDatabase>, viewerId: string, ownerId: string): Promise<boolean> {
  return !!(await db.selectFrom('follows').select('followee_id').where('follower_id', '=', viewerId).where('followee_id', '=', ownerId).executeTakeFirst());
}
