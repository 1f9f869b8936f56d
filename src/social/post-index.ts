import type { Transaction } from 'kysely';
import type { ReceiveContext, ReceiveOutcome } from '../flows/declarations.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { PostProjection, PostRemovedPayload, PostStatsPayload, PostWithdrawnPayload } from './flows.ts';
import type { Audience } from './schema.ts';

// Receiver side of social.post / _withdrawn / _removed: keeps this realm's
// post_index (and its hashtag and full-text indexes) equal to the projections
// this realm may hold (reach.ts). Also used, in the same transaction, by the
// owner's realm for its own posts.

export async function receivePost(trx: Transaction<RealmDatabase>, p: PostProjection, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  // The receiver checks the reach too (reach.ts): outside the creator's realm a private post is never
  // held, and a followers-only one only while a resident here follows the creator (the follow may have
  // ended while the projection travelled; the creator's realm then withdraws it anyway).
  if (ctx.store.name !== p.video_realm && (p.audience === 'private' || (p.audience === 'followers' && !(await anyResidentFollows(trx, p.owner_id))))) {
    await withdraw(trx, p.video_id);
    return 'skipped';
  }
  const existing = await trx.selectFrom('post_index').select('updated_at').where('video_id', '=', p.video_id).executeTakeFirst();
  // Messages of one sender arrive in order, but a snapshot older than what we hold is never applied.
  if (existing && Number(existing.updated_at) > p.updated_at) return 'skipped';
  const row = {
    video_id: p.video_id,
    video_realm: p.video_realm,
    owner_id: p.owner_id,
    owner_handle: p.owner_handle,
    owner_display_name: p.owner_display_name,
    caption: p.caption,
    entities: p.entities,
    hashtags: p.hashtags.join(' '),
    audience: p.audience,
    comment_policy: p.comment_policy,
    duet_policy: p.duet_policy,
    allow_download: p.allow_download ? 1 : 0,
    teen_protected: p.teen_protected ? 1 : 0,
    sound_id: p.sound_id,
    sound_title: p.sound_title,
    duration_ms: p.duration_ms,
    play_key: p.play_key,
    poster_key: p.poster_key,
    like_count: p.like_count,
    comment_count: p.comment_count,
    share_count: p.share_count,
    view_count: p.view_count,
    created_at: p.created_at,
    updated_at: p.updated_at,
    labels: (p.labels ?? []).join(' '),
  };
  if (existing) {
    const { video_id: _id, ...rest } = row;
    await trx.updateTable('post_index').set(rest).where('video_id', '=', p.video_id).execute();
  } else {
    await trx.insertInto('post_index').values(row).execute();
  }
  await trx.deleteFrom('post_hashtags').where('video_id', '=', p.video_id).execute();
  if (p.hashtags.length)
    await trx
      .insertInto('post_hashtags')
      .values(p.hashtags.map((tag) => ({ tag, video_id: p.video_id, created_at: p.created_at })))
      .execute();
  await trx.deleteFrom('post_search').where('video_id', '=', p.video_id).execute();
  await trx
    .insertInto('post_search')
    .values({ video_id: p.video_id, caption: p.caption, hashtags: p.hashtags.join(' '), sound_title: p.sound_title, owner_handle: p.owner_handle })
    .execute();
  if (p.audience !== 'public') await scrubExcerpts(trx, p.video_id, p.owner_id, p.audience);
  return 'applied';
}

/** social.post_withdrawn: no resident here may see the post any more; its projection leaves (people's own activity on it stays). */
export async function receivePostWithdrawn(trx: Transaction<RealmDatabase>, p: PostWithdrawnPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const held = await trx.selectFrom('post_index').select('video_realm').where('video_id', '=', p.video_id).executeTakeFirst();
  if (!held || held.video_realm === ctx.store.name) return 'skipped'; // the creator's realm keeps its own posts
  await withdraw(trx, p.video_id);
  return 'applied';
}

async function anyResidentFollows(trx: Transaction<RealmDatabase>, ownerId: string): Promise<boolean> {
  return !!(await trx.selectFrom('follows').select('follower_id').where('followee_id', '=', ownerId).limit(1).executeTakeFirst());
}

async function withdraw(trx: Transaction<RealmDatabase>, videoId: string) {
  await unindex(trx, videoId);
  await trx.updateTable('notifications').set({ excerpt: '' }).where('video_id', '=', videoId).where('excerpt', '<>', '').execute();
}

/** A notification keeps its excerpt only while its recipient may see the post (notify.ts decides it when sent). */
async function scrubExcerpts(trx: Transaction<RealmDatabase>, videoId: string, ownerId: string, audience: Audience) {
  let q = trx.updateTable('notifications').set({ excerpt: '' }).where('video_id', '=', videoId).where('excerpt', '<>', '').where('user_id', '<>', ownerId);
  if (audience === 'followers') q = q.where('user_id', 'not in', (eb) => eb.selectFrom('follows').select('follower_id').where('followee_id', '=', ownerId));
  await q.execute();
}

/** Counts change often; they travel as a small update instead of a whole snapshot. */
export async function receivePostStats(trx: Transaction<RealmDatabase>, p: PostStatsPayload): Promise<ReceiveOutcome> {
  const r = await trx
    .updateTable('post_index')
    .set({ like_count: p.like_count, comment_count: p.comment_count, share_count: p.share_count, view_count: p.view_count })
    .where('video_id', '=', p.video_id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0 ? 'applied' : 'skipped';
}

/**
 * A post is gone: remove its projection and every row in this realm derived
 * from it — residents' likes, comments, favorites, shares, watch events and
 * notifications about it, and the public copies of engagement on it.
 */
export async function receivePostRemoved(trx: Transaction<RealmDatabase>, p: PostRemovedPayload): Promise<ReceiveOutcome> {
  const v = p.video_id;
  await unindex(trx, v);
  for (const table of [
    'likes',
    'comments',
    'comment_likes',
    'favorites',
    'shares',
    'watch_events',
    'notifications',
    'video_engagements',
    'video_comments',
  ] as const) {
    await trx.deleteFrom(table).where('video_id', '=', v).execute();
  }
  return 'applied';
}

async function unindex(trx: Transaction<RealmDatabase>, videoId: string) {
  await trx.deleteFrom('post_search').where('video_id', '=', videoId).execute();
  await trx.deleteFrom('post_hashtags').where('video_id', '=', videoId).execute();
  await trx.deleteFrom('post_index').where('video_id', '=', videoId).execute();
}
