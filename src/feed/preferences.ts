import type { Viewer } from '../api/auth.ts';
import type { Reelm } from '../context.ts';
import { badRequest } from '../api/errors.ts';
import { isTopic, topicHashtags } from './topics.ts';

// A person's own feed preferences, in their home realm.

export async function notInterested(reelm: Reelm, viewer: Viewer, kind: 'video' | 'creator' | 'sound', targetId: string) {
  await reelm.realms
    .get(viewer.realm)
    .db.insertInto('feed_feedback')
    .values({ user_id: viewer.userId, kind, target_id: targetId, created_at: Date.now() })
    .onConflict((oc) => oc.columns(['user_id', 'kind', 'target_id']).doNothing())
    .execute();
}

export async function setInterests(reelm: Reelm, viewer: Viewer, tags: string[], topics: string[] = []) {
  const list = [...new Set(tags)];
  const row = { tags: list.join(' '), topics: topics.join(' '), updated_at: Date.now() };
  await reelm.realms
    .get(viewer.realm)
    .db.insertInto('feed_interests')
    .values({ user_id: viewer.userId, ...row })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
    .execute();
  return list;
}

export async function getInterests(reelm: Reelm, viewer: Viewer): Promise<string[]> {
  const r = await reelm.realms.get(viewer.realm).db.selectFrom('feed_interests').select('tags').where('user_id', '=', viewer.userId).executeTakeFirst();
  return r?.tags ? r.tags.split(' ') : [];
}

/** Cold start: the topics picked (ids from src/feed/topics.ts), stored with the hashtags they stand for. */
export async function setTopics(reelm: Reelm, viewer: Viewer, ids: string[]): Promise<string[]> {
  const unknown = ids.filter((id) => !isTopic(id));
  if (unknown.length) throw badRequest('unknown_topic', `There is no topic ${unknown.map((u) => `“${u}”`).join(', ')}; GET /api/v1/feed/interests lists them.`);
  const picked = [...new Set(ids)];
  await setInterests(reelm, viewer, topicHashtags(picked), picked);
  return picked;
}

export async function getTopics(reelm: Reelm, viewer: Viewer): Promise<string[]> {
  const r = await reelm.realms.get(viewer.realm).db.selectFrom('feed_interests').select('topics').where('user_id', '=', viewer.userId).executeTakeFirst();
  return r?.topics ? r.topics.split(' ') : [];
}
