import type { Transaction } from 'kysely';
import type { ReceiveContext, ReceiveOutcome } from '../flows/declarations.ts';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { NotifyPayload, NotifyRemovedPayload } from './flows.ts';
import { relay } from './relay.ts';
import { isProtectedTeen, isStrangerTo } from '../privacy/teen.ts';
import { blockedEitherWay, hasFollowerEdge } from './block-check.ts';

// Creating and withdrawing notifications. A notification is stored in its
// recipient's home realm; when the cause happens elsewhere it travels there by
// the social.notify flow. One row per cause (cause_key): a replay, a repeated
// like or a re-delivered message cannot duplicate it.

export type NotificationKind = 'follow' | 'like' | 'comment' | 'reply' | 'mention' | 'comment_like' | 'duet' | 'sound_use' | 'moderation';

/** A notification as stored: a social.notify payload, or a moderation notice written in place (that kind never travels). */
export type StoredNotification = Omit<NotifyPayload, 'kind'> & { kind: NotificationKind };

export async function receiveNotify(trx: Transaction<RealmDatabase>, p: StoredNotification, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  if (p.actor_id && p.actor_id === p.recipient_id) return 'skipped'; // nobody is told about their own doing
  const recipient = await trx.selectFrom('users').select('id').where('id', '=', p.recipient_id).executeTakeFirst();
  if (!recipient) return 'skipped';
  // A protected teen is not contacted by strangers: their mentions reach no one (src/privacy/teen.ts).
  if (p.kind === 'mention' && p.actor_id && (await isProtectedTeen(ctx.store, trx, p.recipient_id)) && (await isStrangerTo(trx, p.recipient_id, p.actor_id)))
    return 'skipped';
  // The recipient may have blocked the actor: then they hear nothing from them.
  if (p.actor_id) {
    const blocked = await trx
      .selectFrom('blocks')
      .select('blocker_id')
      .where('blocker_id', '=', p.recipient_id)
      .where('blocked_id', '=', p.actor_id)
      .executeTakeFirst();
    if (blocked) return 'skipped';
  }
  await trx
    .insertInto('notifications')
    .values({
      id: newId(p.at),
      user_id: p.recipient_id,
      kind: p.kind,
      cause_key: p.cause_key,
      group_key: p.group_key,
      actor_id: p.actor_id,
      actor_realm: p.actor_realm,
      actor_handle: p.actor_handle,
      video_id: p.video_id,
      video_realm: p.video_realm,
      comment_id: p.comment_id,
      excerpt: p.excerpt.slice(0, 120),
      created_at: p.at,
      read_at: null,
    })
    .onConflict((oc) => oc.columns(['user_id', 'cause_key']).doNothing())
    .execute();
  return 'applied';
}

export async function receiveNotifyRemoved(trx: Transaction<RealmDatabase>, p: NotifyRemovedPayload): Promise<ReceiveOutcome> {
  const r = await trx.deleteFrom('notifications').where('user_id', '=', p.recipient_id).where('cause_key', '=', p.cause_key).executeTakeFirst();
  return Number(r.numDeletedRows) > 0 ? 'applied' : 'skipped';
}

/**
 * Notifies a person wherever their home realm is. The excerpt (a caption or
 * comment text) goes only to a recipient who may see the post; anyone else gets
 * a content-free notification. Every notification with text is caused in the
 * video's realm, where the post, its follower list and the creator's blocks are.
 */
export async function notify(store: RealmStore, trx: Transaction<RealmDatabase>, recipientRealm: string, p: Omit<NotifyPayload, 'at'> & { at?: number }) {
  if (p.actor_id && p.actor_id === p.recipient_id) return;
  const excerpt = p.excerpt && p.video_id && (await maySeePost(trx, p.video_id, p.recipient_id)) ? p.excerpt.slice(0, 120) : '';
  await relay(store, trx, recipientRealm, 'social.notify', { ...p, excerpt, at: p.at ?? Date.now() });
}

/** The visibility rule (visibility.ts) as the creator's realm knows it; false for a post not held here. */
async function maySeePost(trx: Transaction<RealmDatabase>, videoId: string, personId: string): Promise<boolean> {
  const post = await trx.selectFrom('posts').select(['owner_id', 'audience']).where('video_id', '=', videoId).executeTakeFirst();
  if (!post) return false;
  if (post.owner_id === personId) return true;
  if (post.audience === 'private') return false;
  if (await blockedEitherWay(trx, post.owner_id, personId)) return false;
  if (post.audience === 'public') return true;
  return hasFollowerEdge(trx, post.owner_id, personId);
}

/** After a person unfollows an account (in their realm): their notifications about its non-public posts lose their excerpts. */
export async function blankExcerptsAfterUnfollow(trx: Transaction<RealmDatabase>, personId: string, ownerId: string) {
  await trx
    .updateTable('notifications')
    .set({ excerpt: '' })
    .where('user_id', '=', personId)
    .where('excerpt', '<>', '')
    .where('video_id', 'in', (eb) => eb.selectFrom('post_index').select('video_id').where('owner_id', '=', ownerId).where('audience', '<>', 'public'))
    .execute();
}

export async function unnotify(store: RealmStore, trx: Transaction<RealmDatabase>, recipientRealm: string, recipientId: string, causeKey: string) {
  await relay(store, trx, recipientRealm, 'social.notify_removed', { recipient_id: recipientId, cause_key: causeKey });
}

export type { ReceiveContext };
