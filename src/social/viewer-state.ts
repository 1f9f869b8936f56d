import { sql, type Kysely } from 'kysely';
import { compiledOnce } from '../realm/compiled.ts';
import type { RealmDatabase } from '../realm/registry.ts';

/** What the viewer has done with a video: the client's like, favorite and follow buttons start from it. */
export interface ViewerState {
  liked: boolean;
  favorited: boolean;
  following: boolean;
}

const compiled = compiledOnce<RealmDatabase>();

/**
 * The viewer's state for each video, in one read of their home realm: their likes and favorites among the
 * videos, and which of the videos' creators they follow. Used by For You pages and a post's view alike.
 */
export async function viewerStates(
  db: Kysely<RealmDatabase>,
  viewerId: string,
  videos: readonly { id: string; ownerId: string }[],
): Promise<Map<string, ViewerState>> {
  const out = new Map<string, ViewerState>();
  if (!videos.length) return out;
  const ids = videos.map((v) => v.id);
  const owners = [...new Set(videos.map((v) => v.ownerId))];
  // compiled once per (videos, creators) count: this runs for every For You page
  const rows = await compiled(db, `${ids.length}|${owners.length}`, [viewerId, ...ids, ...owners], (slot) =>
    statesQuery(
      db,
      slot(0),
      ids.map((_, i) => slot(1 + i)),
      owners.map((_, i) => slot(1 + ids.length + i)),
    ),
  );
  const liked = new Set<string>();
  const saved = new Set<string>();
  const followed = new Set<string>();
  for (const r of rows) (r.kind === 'like' ? liked : r.kind === 'favorite' ? saved : followed).add(r.id);
  for (const v of videos) out.set(v.id, { liked: liked.has(v.id), favorited: saved.has(v.id), following: followed.has(v.ownerId) });
  return out;
}

function statesQuery(db: Kysely<RealmDatabase>, viewerId: string, ids: string[], owners: string[]) {
  return db
    .selectFrom('likes')
    .select(['video_id as id', sql<string>`'like'`.as('kind')])
    .where('user_id', '=', viewerId)
    .where('video_id', 'in', ids)
    .unionAll(
      db
        .selectFrom('favorites')
        .select(['video_id as id', sql<string>`'favorite'`.as('kind')])
        .where('user_id', '=', viewerId)
        .where('video_id', 'in', ids),
    )
    .unionAll(
      db
        .selectFrom('follows')
        .select(['followee_id as id', sql<string>`'follow'`.as('kind')])
        .where('follower_id', '=', viewerId)
        .where('followee_id', 'in', owners),
    );
}
