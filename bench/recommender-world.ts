// Data sets for the recommender benchmarks, in one shape: persons, items with
// their video features, and time-ordered events. The synthetic short-video
// world plants hidden tastes (hashtags, creators, country) so the best possible
// ranking — the oracle — is known; MovieLens-small is read from the shared data.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Outcome, PersonContext, VideoFeatures } from '../src/feed/model/ranker.ts';

export type Item = Omit<VideoFeatures, 'stats' | 'ageHours'> & { createdAt: number };
export interface Event {
  u: number;
  i: number;
  t: number;
  outcome: Outcome;
  positive: boolean;
}
export interface Dataset {
  name: string;
  persons: PersonContext[];
  items: Item[];
  events: Event[]; // sorted by time
  /** True P(positive) for (person, item): only the synthetic world knows it. */
  oracle?: (u: number, i: number) => number;
}

export function rng(seed: number): () => number {
  let x = seed | 0;
  return () => {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Persons with 2–3 favourite hashtags, a few favourite creators and a country; videos uploaded over 30 days. */
export function syntheticWorld(o: { persons?: number; videos?: number; impressions?: number; seed?: number } = {}): Dataset {
  const nP = o.persons ?? 600;
  const nV = o.videos ?? 1000;
  const nImp = o.impressions ?? 150;
  const r = rng(o.seed ?? 42);
  const TAGS = 40;
  const CREATORS = 150;
  const SOUNDS = 120;
  const COUNTRIES = ['DE', 'FR', 'US', 'BR', 'JP'];
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const items: Item[] = [];
  const quality = new Float64Array(nV);
  const creatorTag = Array.from({ length: CREATORS }, () => Math.floor(r() * TAGS)); // creators have a niche
  for (let i = 0; i < nV; i++) {
    const c = Math.floor(Math.pow(r(), 1.5) * CREATORS); // some creators post much more
    const tags = new Set([`t${creatorTag[c]}`, `t${Math.floor(r() * TAGS)}`]);
    items.push({
      videoId: `v${i}`,
      creatorId: `c${c}`,
      soundId: r() < 0.8 ? `s${Math.floor(Math.pow(r(), 2) * SOUNDS)}` : null,
      hashtags: [...tags],
      country: pick(COUNTRIES),
      createdAt: r() * 30 * DAY,
    });
    quality[i] = (r() + r() + r() - 1.5) * 1.2;
  }
  items.sort((a, b) => a.createdAt - b.createdAt);
  const persons: PersonContext[] = [];
  const tagTaste: Map<string, number>[] = [];
  const creatorTaste: Map<string, number>[] = [];
  for (let u = 0; u < nP; u++) {
    const tt = new Map<string, number>();
    const k = 2 + Math.floor(r() * 2);
    for (let j = 0; j < k; j++) tt.set(`t${Math.floor(r() * TAGS)}`, 1 + r());
    const ct = new Map<string, number>();
    for (let j = 0; j < 4; j++) ct.set(`c${Math.floor(r() * CREATORS)}`, 1 + r());
    tagTaste.push(tt);
    creatorTaste.push(ct);
    // Half the persons declared one of their true interests at sign-up.
    persons.push({ personId: `p${u}`, country: pick(COUNTRIES), interests: r() < 0.5 ? [[...tt.keys()][0]!] : [] });
  }
  const logit = (u: number, i: number) => {
    const v = items[i]!;
    let z = -2.2 + quality[i]!;
    for (const t of v.hashtags) z += 1.6 * (tagTaste[u]!.get(t) ?? 0);
    z += 1.8 * (creatorTaste[u]!.get(v.creatorId) ?? 0);
    if (v.country === persons[u]!.country) z += 0.4;
    return z;
  };
  const events: Event[] = [];
  for (let u = 0; u < nP; u++) {
    for (let k = 0; k < nImp; k++) {
      const t = 1 * DAY + r() * 29 * DAY;
      // Exposure: uniform over the videos uploaded by then (the logging policy knows no tastes).
      let hi = 0;
      while (hi < nV && items[hi]!.createdAt <= t) hi++;
      if (hi === 0) continue;
      const i = Math.floor(r() * hi);
      const p = sigmoid(logit(u, i));
      const completed = r() < p;
      const liked = completed && r() < 0.35 + 0.3 * p;
      const shared = liked && r() < 0.15;
      const watchedFraction = completed ? 1 : r() * 0.7;
      events.push({ u, i, t, positive: completed, outcome: { completed, liked, shared, skippedEarly: watchedFraction < 0.2, watchedFraction } });
    }
  }
  events.sort((a, b) => a.t - b.t);
  return { name: 'synthetic', persons, items, events, oracle: (u, i) => logit(u, i) };
}

/** MovieLens-small, rating ≥ 3.5 positive; genres act as hashtags, the release decade as the "creator". */
export function movieLens(repo: string): Dataset | null {
  // ../shared next to the checkout; a worktree under /work/wt/<name> finds it one level further up.
  const dirs = [path.resolve(repo, '..', 'shared', 'data', 'movielens-small'), path.resolve(repo, '..', '..', 'shared', 'data', 'movielens-small')];
  const dir = dirs.find((d) => existsSync(path.join(d, 'ratings.csv'))) ?? dirs[0]!;
  if (!existsSync(path.join(dir, 'ratings.csv'))) {
    console.error(`[recommender] MovieLens-small not found at ${dir} (ratings.csv, movies.csv from https://grouplens.org/datasets/movielens/); skipping it`);
    return null;
  }
  const itemIx = new Map<string, number>();
  const items: Item[] = [];
  for (const line of readFileSync(path.join(dir, 'movies.csv'), 'utf8').split('\n').slice(1)) {
    if (!line) continue;
    const id = line.slice(0, line.indexOf(','));
    const genres = line.slice(line.lastIndexOf(',') + 1).trim();
    const year = /\((\d{4})\)\s*"?\s*,[^,]*$/.exec(line)?.[1];
    itemIx.set(id, items.length);
    items.push({
      videoId: `m${id}`,
      creatorId: year ? `${year.slice(0, 3)}0s` : 'unknown',
      soundId: null,
      hashtags: genres === '(no genres listed)' ? [] : genres.split('|'),
      country: null,
      createdAt: Infinity,
    });
  }
  const personIx = new Map<string, number>();
  const persons: PersonContext[] = [];
  const events: Event[] = [];
  for (const line of readFileSync(path.join(dir, 'ratings.csv'), 'utf8').split('\n').slice(1)) {
    if (!line) continue;
    const [uid, mid, rating, ts] = line.split(',');
    let u = personIx.get(uid!);
    if (u === undefined) {
      personIx.set(uid!, (u = persons.length));
      persons.push({ personId: `u${uid}`, country: null, interests: [] });
    }
    const i = itemIx.get(mid!);
    if (i === undefined) continue;
    const t = Number(ts) * 1000;
    const positive = Number(rating) >= 3.5;
    items[i]!.createdAt = Math.min(items[i]!.createdAt, t);
    events.push({
      u,
      i,
      t,
      positive,
      outcome: { completed: positive, liked: positive, shared: Number(rating) >= 5, skippedEarly: false, watchedFraction: positive ? 1 : 0.5 },
    });
  }
  events.sort((a, b) => a.t - b.t || a.u - b.u || a.i - b.i);
  return { name: 'movielens-small', persons, items, events };
}
