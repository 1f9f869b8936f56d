import { sql, type Transaction } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { PostProjection } from './flows.ts';
import { relay } from './relay.ts';
import type { Audience, PostIndexTable } from './schema.ts';

// Which realms may hold a post's projection (caption, sound title, media keys):
//  • public — every realm;
//  • followers — the creator's realm and the realms holding at least one of
//    the creator's followers (follower_edges, kept in the creator's realm);
//  • private — the creator's realm only.
// The creator's realm sends a projection only there, and a content-free
// social.post_withdrawn to a realm that stops being allowed (audience
// narrowed, or its last follower of the creator left). Follows change the
// reach from the graph receivers (src/graph/flow-handlers.ts).

type Trx = Transaction<RealmDatabase>;

export async function reachOf(store: RealmStore, trx: Trx, realms: readonly string[], ownerId: string, audience: Audience): Promise<string[]> {
  if (audience === 'public') return [...realms];
  const out = [store.name];
  if (audience === 'followers') {
    const rows = await trx.selectFrom('follower_edges').select('follower_realm').distinct().where('followee_id', '=', ownerId).execute();
    for (const r of rows) if (realms.includes(r.follower_realm) && !out.includes(r.follower_realm)) out.push(r.follower_realm);
  }
  return out;
}

/** Sends a projection to its reach, and a withdrawal to the realms the previous audience reached and this one does not. */
export async function publishProjection(store: RealmStore, trx: Trx, realms: readonly string[], p: PostProjection, before?: Audience) {
  const reach = await reachOf(store, trx, realms, p.owner_id, p.audience);
  for (const to of reach) await relay(store, trx, to, 'social.post', { ...p });
  if (!before) return;
  for (const to of await reachOf(store, trx, realms, p.owner_id, before)) {
    if (!reach.includes(to)) await relay(store, trx, to, 'social.post_withdrawn', { video_id: p.video_id });
  }
}

/** The projection this realm last published, from its own post_index (read inside a flow receiver's transaction). */
export function projectionFromIndex(r: PostIndexTable): PostProjection {
  return {
    video_id: r.video_id,
    video_realm: r.video_realm,
    owner_id: r.owner_id,
    owner_handle: r.owner_handle,
    owner_display_name: r.owner_display_name,
    caption: r.caption,
    entities: r.entities,
    hashtags: r.hashtags.split(' ').filter(Boolean),
    audience: r.audience,
    comment_policy: r.comment_policy,
    duet_policy: r.duet_policy,
    allow_download: Number(r.allow_download) === 1,
    teen_protected: Number(r.teen_protected) === 1,
    sound_id: r.sound_id,
    sound_title: r.sound_title,
    duration_ms: Number(r.duration_ms),
    play_key: r.play_key,
    poster_key: r.poster_key,
    like_count: Number(r.like_count),
    comment_count: Number(r.comment_count),
    share_count: Number(r.share_count),
    view_count: Number(r.view_count),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
    labels: r.labels ? r.labels.split(' ') : [],
  };
}

async function followersIn(trx: Trx, followeeId: string, realm: string): Promise<number> {
  const r = await trx
    .selectFrom('follower_edges')
    .select(sql<number>`count(*)`.as('n'))
    .where('followee_id', '=', followeeId)
    .where('follower_realm', '=', realm)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function followersOnlyPosts(store: RealmStore, trx: Trx, ownerId: string) {
  return trx
    .selectFrom('post_index')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('video_realm', '=', store.name)
    .where('audience', '=', 'followers')
    .orderBy('video_id')
    .execute();
}

/** In the creator's realm, after a new follower edge: the first follower in a realm brings the creator's followers-only posts there. */
export async function followerJoined(store: RealmStore, trx: Trx, followeeId: string, followerRealm: string) {
  if (followerRealm === store.name || (await followersIn(trx, followeeId, followerRealm)) !== 1) return;
  for (const row of await followersOnlyPosts(store, trx, followeeId)) await relay(store, trx, followerRealm, 'social.post', { ...projectionFromIndex(row) });
}

/** In the creator's realm, after a follower edge ended: when it was the realm's last, the followers-only posts leave it. */
export async function followerLeft(store: RealmStore, trx: Trx, followeeId: string, followerRealm: string) {
  if (followerRealm === store.name || (await followersIn(trx, followeeId, followerRealm)) !== 0) return;
  for (const row of await followersOnlyPosts(store, trx, followeeId))
    await relay(store, trx, followerRealm, 'social.post_withdrawn', { video_id: row.video_id });
}
