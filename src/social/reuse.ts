import type { Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import { blockedSet, follows, visibleTo } from './visibility.ts';

// May this person reuse the media of that video (duet it, use its sound)?
// The ONE viewing rule (visibleTo over the uploader's own realm's post_index)
// decides whether they may see it at all; duets then also need the post's
// duetPolicy. A video they may not see answers exactly like a missing one
// ('missing'), so reuse never tells anyone a hidden video exists (S1).

export type ReuseVerdict = 'ok' | 'missing' | 'not_allowed';

/**
 * `db` is the uploader's home realm; `videoRealm` the realm of the source.
 * `ownerId` is known for a source in the same realm (its videos row): the
 * owner may reuse their own media, posted or not.
 */
export async function mayReuse(
  db: Kysely<RealmDatabase>,
  uploaderId: string,
  src: { videoId: string; videoRealm: string; ownerId?: string },
  kind: 'duet' | 'sound',
): Promise<ReuseVerdict> {
  if (src.ownerId === uploaderId) return 'ok';
  const post = await db
    .selectFrom('post_index')
    .select(['owner_id', 'duet_policy', 'teen_protected'])
    .where('video_id', '=', src.videoId)
    .where('video_realm', '=', src.videoRealm)
    .where((eb) => visibleTo(eb, uploaderId))
    .executeTakeFirst();
  if (!post) return 'missing'; // unposted, private, followers-only to a non-follower, blocked, or gone
  if (post.owner_id === uploaderId) return 'ok';
  if (Number(post.teen_protected) === 1) return 'not_allowed'; // a protected teen's media is not reused at all (src/privacy/teen.ts)
  if (kind === 'sound') return 'ok';
  if (post.duet_policy === 'no_one') return 'not_allowed';
  if (post.duet_policy === 'followers' && !(await follows(db, uploaderId, post.owner_id))) return 'not_allowed';
  return 'ok';
}

/** Is a block standing between these two people (either way), as the uploader's realm knows it? */
export async function blockedBetween(db: Kysely<RealmDatabase>, uploaderId: string, ownerId: string): Promise<boolean> {
  return (await blockedSet(db, uploaderId)).has(ownerId);
}
