import type { Reelm } from '../context.ts';
import type { RealmStore } from '../realm/store.ts';

// Trending hashtags and sounds, time-decayed (each use weighs 2^(-age/half-life)).
// "Trending in <country>" counts posts by creators from that country. A
// creator's country is protected, but every country has exactly one home
// realm, so the per-country figure is computed entirely inside that realm from
// its own residents and only the aggregate leaves the function — and only for
// tags or sounds used by at least MIN_DISTINCT_CREATORS people there, so a rare
// tag cannot reveal one person's country. The global list sums the per-realm
// aggregates (no country involved).

export const TREND_WINDOW_MS = 7 * 24 * 3600 * 1000;
export const TREND_HALF_LIFE_MS = 24 * 3600 * 1000;
export const MIN_DISTINCT_CREATORS = 3;

export type TrendKind = 'hashtags' | 'sounds';

interface Aggregate {
  key: string;
  score: number;
  creators: number;
  uses: number;
}

/** One realm's aggregate from its own residents' public posts (optionally one country's). */
async function realmAggregate(store: RealmStore, kind: TrendKind, country: string | null, now: number): Promise<Aggregate[]> {
  const since = now - TREND_WINDOW_MS;
  let rows: { key: string | null; owner_id: string; created_at: number }[];
  if (kind === 'hashtags') {
    let q = store.db
      .selectFrom('posts')
      .innerJoin('post_hashtags', 'post_hashtags.video_id', 'posts.video_id')
      .select(['post_hashtags.tag as key', 'posts.owner_id', 'posts.created_at'])
      .where('posts.audience', '=', 'public')
      .where('posts.created_at', '>', since);
    if (country) q = q.innerJoin('users', 'users.id', 'posts.owner_id').where('users.country', '=', country);
    rows = await q.execute();
  } else {
    let q = store.db
      .selectFrom('posts')
      .select(['posts.sound_id as key', 'posts.owner_id', 'posts.created_at'])
      .where('posts.audience', '=', 'public')
      .where('posts.sound_id', 'is not', null)
      .where('posts.created_at', '>', since);
    if (country) q = q.innerJoin('users', 'users.id', 'posts.owner_id').where('users.country', '=', country);
    rows = await q.execute();
  }
  const agg = new Map<string, { score: number; creators: Set<string>; uses: number }>();
  for (const r of rows) {
    if (!r.key) continue;
    const a = agg.get(r.key) ?? { score: 0, creators: new Set<string>(), uses: 0 };
    a.score += Math.pow(2, -Math.max(0, now - Number(r.created_at)) / TREND_HALF_LIFE_MS);
    a.creators.add(r.owner_id);
    a.uses++;
    agg.set(r.key, a);
  }
  return [...agg.entries()].map(([key, a]) => ({ key, score: a.score, creators: a.creators.size, uses: a.uses }));
}

export interface TrendItem {
  key: string;
  title?: string;
  score: number;
  videoCount: number;
}

export async function trending(reelm: Reelm, kind: TrendKind, country: string | null, limit = 20, now = Date.now()): Promise<TrendItem[]> {
  let merged: Aggregate[];
  if (country) {
    const realm = reelm.policy.homeRealmFor(country.toUpperCase());
    if (!realm || !reelm.realms.has(realm)) return [];
    merged = (await realmAggregate(reelm.realms.get(realm), kind, country.toUpperCase(), now)).filter((a) => a.creators >= MIN_DISTINCT_CREATORS);
  } else {
    const byKey = new Map<string, Aggregate>();
    for (const store of reelm.realms.all()) {
      for (const a of await realmAggregate(store, kind, null, now)) {
        const m = byKey.get(a.key) ?? { key: a.key, score: 0, creators: 0, uses: 0 };
        m.score += a.score;
        m.creators += a.creators;
        m.uses += a.uses;
        byKey.set(a.key, m);
      }
    }
    merged = [...byKey.values()];
  }
  const top = merged.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key)).slice(0, limit);
  const items: TrendItem[] = top.map((a) => ({ key: a.key, score: Math.round(a.score * 1000) / 1000, videoCount: a.uses }));
  if (kind === 'sounds' && items.length) {
    const store = reelm.realms.all()[0]!;
    const titles = await store.db
      .selectFrom('post_index')
      .select(['sound_id', 'sound_title'])
      .where(
        'sound_id',
        'in',
        items.map((i) => i.key),
      )
      .execute();
    const t = new Map(titles.map((r) => [r.sound_id, r.sound_title]));
    for (const i of items) i.title = t.get(i.key) ?? '';
  }
  return items;
}
