import type { Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import type { PostIndexTable } from '../social/schema.ts';
import type { PersonContext, VideoFeatures } from './model/ranker.ts';

// What the model sees: public facts of a video (its projection in this realm
// plus this realm's residents' sums) and the person's own context, read in
// their home realm.

export interface LocalStats {
  plays: number;
  completions: number;
  likes: number;
  shares: number;
}

export function videoFeatures(r: PostIndexTable, s: LocalStats | undefined, now: number): VideoFeatures {
  return {
    videoId: r.video_id,
    creatorId: r.owner_id,
    soundId: r.sound_id,
    hashtags: r.hashtags ? r.hashtags.split(' ') : [],
    country: null, // a poster's country is protected; it never reaches other realms
    ageHours: Math.max(0, (now - Number(r.created_at)) / 3_600_000),
    stats: {
      views: Math.max(Number(r.view_count), s?.plays ?? 0),
      completions: s?.completions ?? 0,
      likes: Math.max(Number(r.like_count), s?.likes ?? 0),
      shares: Math.max(Number(r.share_count), s?.shares ?? 0),
    },
  };
}

export async function localStats(db: Kysely<RealmDatabase>, ids: readonly string[]): Promise<Map<string, LocalStats>> {
  const out = new Map<string, LocalStats>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('feed_video_stats')
      .select(['video_id', 'plays', 'completions', 'likes', 'shares'])
      .where('video_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.video_id, { plays: Number(r.plays), completions: Number(r.completions), likes: Number(r.likes), shares: Number(r.shares) });
  }
  return out;
}

export async function personContext(db: Kysely<RealmDatabase>, userId: string): Promise<PersonContext> {
  // One read: the person's country and their cold-start interests.
  const u = await db
    .selectFrom('users')
    .leftJoin('feed_interests', 'feed_interests.user_id', 'users.id')
    .select(['users.country', 'feed_interests.tags'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  return { personId: userId, country: u?.country ?? null, interests: u?.tags ? u.tags.split(' ') : [] };
}

/** personContext for many people: two reads per 500. */
export async function personContexts(db: Kysely<RealmDatabase>, userIds: readonly string[]): Promise<Map<string, PersonContext>> {
  const out = new Map<string, PersonContext>(userIds.map((id) => [id, { personId: id, country: null, interests: [] }]));
  for (let i = 0; i < userIds.length; i += 500) {
    const ids = userIds.slice(i, i + 500);
    for (const u of await db.selectFrom('users').select(['id', 'country']).where('id', 'in', ids).execute()) out.get(u.id)!.country = u.country ?? null;
    for (const r of await db.selectFrom('feed_interests').select(['user_id', 'tags']).where('user_id', 'in', ids).execute())
      out.get(r.user_id)!.interests = r.tags ? r.tags.split(' ') : [];
  }
  return out;
}

export async function postRows(db: Kysely<RealmDatabase>, ids: readonly string[]): Promise<Map<string, PostIndexTable>> {
  const out = new Map<string, PostIndexTable>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('post_index')
      .selectAll()
      .where('video_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.video_id, r);
  }
  return out;
}

export const dayOf = (ms: number) => Math.floor(ms / 86_400_000);
