import type { Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import type { PostIndexTable } from '../social/schema.ts';
import { dayOf, postRows } from './features.ts';

// Candidate sources. Each is one or a few indexed queries with a LIMIT, so a
// request costs the same whatever the number of videos. Each candidate keeps
// the source that found it and the feature it was found by (for "why").

export type Source = 'following' | 'co' | 'hashtag' | 'creator' | 'sound' | 'interest' | 'trending_country' | 'trending' | 'explore';

export interface Candidate {
  row: PostIndexTable;
  source: Source;
  /** the hashtag, creator handle or sound title behind it, when there is one */
  via: string | null;
  prior: number;
}

export interface Signals {
  userId: string | null;
  country: string | null;
  interests: readonly string[];
  positives: readonly string[];
  limit: number;
  exploreMaxPlays: number;
  now: number;
  /** the serving model's version: the realm-level pools are cached per version (see realmPool) */
  modelVersion: number;
}

const PRIOR: Record<Source, number> = {
  following: 0.3,
  co: 0.35,
  hashtag: 0.3,
  creator: 0.25,
  sound: 0.2,
  interest: 0.25,
  trending_country: 0.15,
  trending: 0.1,
  explore: 0.1,
};

type DB = Kysely<RealmDatabase>;

/** How much of what the person finished or liked shares each hashtag, creator and sound (shares of their recent positives). */
export interface Affinity {
  tags: Map<string, number>;
  creators: Map<string, number>;
  sounds: Map<string, number>;
}

export function affinityOf(c: Candidate, a: Affinity): number {
  const r = c.row;
  let tag = 0;
  for (const t of r.hashtags ? r.hashtags.split(' ') : []) tag = Math.max(tag, a.tags.get(t) ?? 0);
  return 0.6 * tag + 0.25 * (a.creators.get(r.owner_id) ?? 0) + 0.15 * (r.sound_id ? (a.sounds.get(r.sound_id) ?? 0) : 0);
}

export async function gatherCandidates(db: DB, s: Signals): Promise<{ candidates: Map<string, Candidate>; affinity: Affinity }> {
  const found = new Map<string, { source: Source; via: string | null }>();
  const add = (ids: readonly string[], source: Source, via: string | null = null) => {
    for (const id of ids) if (!found.has(id)) found.set(id, { source, via });
  };
  const n = s.limit;
  const positiveRows = s.positives.length ? await postRows(db, s.positives) : new Map<string, PostIndexTable>();

  if (s.userId) {
    const fol = await db
      .selectFrom('post_index')
      .select('video_id')
      .where('owner_id', 'in', db.selectFrom('follows').select('followee_id').where('follower_id', '=', s.userId))
      .orderBy('created_at', 'desc')
      .limit(n)
      .execute();
    add(
      fol.map((r) => r.video_id),
      'following',
    );
  }
  if (s.positives.length) {
    const co = await db.selectFrom('feed_co').select('video_b').where('video_a', 'in', s.positives).orderBy('weight', 'desc').limit(n).execute();
    add(
      co.map((r) => r.video_b),
      'co',
    );
  }
  // Affinity: the hashtags, creators and sounds of what the person finished or liked, most frequent first.
  const tags = new Map<string, number>();
  const creators = new Map<string, number>();
  const sounds = new Map<string, number>();
  for (const r of positiveRows.values()) {
    for (const t of r.hashtags ? r.hashtags.split(' ') : []) tags.set(t, (tags.get(t) ?? 0) + 1);
    creators.set(r.owner_id, (creators.get(r.owner_id) ?? 0) + 1);
    if (r.sound_id) sounds.set(r.sound_id, (sounds.get(r.sound_id) ?? 0) + 1);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, k)
      .map(([x]) => x);
  const per = Math.max(5, Math.ceil(n / 3));
  for (const tag of top(tags, 3)) add(await byTag(db, tag, per), 'hashtag', tag);
  for (const tag of s.interests.slice(0, 5)) add(await byTag(db, tag, per), 'interest', tag);
  for (const c of top(creators, 2)) {
    const rows = await db.selectFrom('post_index').select('video_id').where('owner_id', '=', c).orderBy('created_at', 'desc').limit(per).execute();
    add(
      rows.map((r) => r.video_id),
      'creator',
      c,
    );
  }
  for (const so of top(sounds, 2)) {
    const rows = await db.selectFrom('post_index').select('video_id').where('sound_id', '=', so).orderBy('created_at', 'desc').limit(per).execute();
    add(
      rows.map((r) => r.video_id),
      'sound',
      so,
    );
  }
  // Trending and exploration do not depend on the person: one realm-level pool per model version (below).
  const pool = await realmPool(db, s);
  if (s.country) add(pool.trendCountry, 'trending_country', s.country);
  add(pool.trend, 'trending');
  add(pool.fresh, 'explore');
  // When everything above is thin (a new realm), the newest posts fill in.
  if (found.size < n) add(pool.recent, 'explore');

  for (const id of s.positives) found.delete(id); // already watched to the end or liked
  const rows = await postRows(db, [...found.keys()]);
  const out = new Map<string, Candidate>();
  for (const [id, f] of found) {
    const row = rows.get(id);
    if (row) out.set(id, { row, source: f.source, via: f.via, prior: PRIOR[f.source] });
  }
  const k = Math.max(1, positiveRows.size);
  const norm = (m: Map<string, number>) => new Map([...m].map(([x, c]) => [x, c / k]));
  return { candidates: out, affinity: { tags: norm(tags), creators: norm(creators), sounds: norm(sounds) } };
}

async function byTag(db: DB, tag: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('post_hashtags').select('video_id').where('tag', '=', tag).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => r.video_id);
}

interface Pool {
  trendCountry: string[];
  trend: string[];
  fresh: string[];
  recent: string[];
}
// Per realm database: pools by (model version, day, country, limit). The derived tables they read (feed_trend,
// feed_video_stats) change only together with a new model version (trainer.ts), so a cached pool is what the
// queries would answer, except for posts made since that version — they join at the next one, as they join
// a session's list only when it is rebuilt.
// A pool is also kept at most POOL_TTL_MS, so a new post reaches exploration within seconds in a realm whose
// model is not moving (no events, no training run).
const pools = new WeakMap<DB, Map<string, { at: number; pool: Promise<Pool> }>>();
const POOLS_PER_REALM = 32;
const POOL_TTL_MS = 5_000;

async function realmPool(db: DB, s: Signals): Promise<Pool> {
  const day = dayOf(s.now);
  // the newest post is part of the key: a post made since the pool was built joins exploration on the next page asked
  const newest = await db.selectFrom('post_index').select('video_id').orderBy('created_at', 'desc').orderBy('video_id', 'desc').limit(1).executeTakeFirst();
  const key = [s.modelVersion, day, s.country ?? '', s.limit, s.exploreMaxPlays, newest?.video_id ?? ''].join('|');
  let m = pools.get(db);
  if (!m) pools.set(db, (m = new Map()));
  const hit = m.get(key);
  if (hit && s.now - hit.at < POOL_TTL_MS) return hit.pool;
  const made = buildPool(db, s, day);
  made.catch(() => m.delete(key)); // a failed read is not remembered
  m.delete(key);
  m.set(key, { at: s.now, pool: made });
  while (m.size > POOLS_PER_REALM) m.delete(m.keys().next().value!);
  return made;
}

async function buildPool(db: DB, s: Signals, day: number): Promise<Pool> {
  const n = s.limit;
  // One indexed range per day (country, day, score): today's leaders, then yesterday's.
  const trend = async (country: string) => {
    const out: string[] = [];
    for (const d of [day, day - 1]) {
      const rows = await db
        .selectFrom('feed_trend')
        .select('video_id')
        .where('country', '=', country)
        .where('day', '=', d)
        .orderBy('score', 'desc')
        .limit(n)
        .execute();
      out.push(...rows.map((r) => r.video_id));
    }
    return out;
  };
  // Exploration: the newest posts with few plays here; the model's completion estimate promotes those that hold attention.
  const fresh = await db
    .selectFrom('post_index')
    .leftJoin('feed_video_stats', 'feed_video_stats.video_id', 'post_index.video_id')
    .select('post_index.video_id')
    .where((eb) => eb.or([eb('feed_video_stats.plays', 'is', null), eb('feed_video_stats.plays', '<', s.exploreMaxPlays)]))
    .orderBy('post_index.created_at', 'desc')
    .limit(n)
    .execute();
  const recent = await db.selectFrom('post_index').select('video_id').orderBy('created_at', 'desc').limit(n).execute();
  return {
    trendCountry: s.country ? await trend(s.country) : [],
    trend: await trend(''),
    fresh: fresh.map((r) => r.video_id),
    recent: recent.map((r) => r.video_id),
  };
}
