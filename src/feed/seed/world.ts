// A synthetic short-video world with hidden tastes, for `npx reelm seed` and
// for anyone who wants the same world (model engineer: bench/recommender-* may
// import generateWorld/eventsOf from here; it is pure, seeded and has no DB).
// Each person loves two of TOPICS and one creator; a video has one topic
// (its first hashtag), a creator and a sound. The chance a person finishes a
// video is known (tasteOf), so the best possible ranking is known too.

export const TOPICS = [
  'cats', 'dogs', 'cooking', 'football', 'dance', 'comedy', 'diy', 'travel', 'fitness', 'music',
  'gaming', 'art', 'science', 'fashion', 'makeup', 'cars', 'books', 'garden', 'surf', 'chess',
] as const; // prettier-ignore
export const COUNTRIES = [
  ['US', 'us'],
  ['DE', 'eu'],
  ['FR', 'eu'],
  ['BR', 'intl'],
  ['IN', 'intl'],
] as const;

export interface WorldPerson {
  index: number;
  country: string;
  realm: string;
  topics: [number, number];
  creator: number;
}
export interface WorldVideo {
  index: number;
  creator: number;
  topic: number;
  hashtags: string[];
  sound: number;
  createdAt: number;
}
export interface WorldEvent {
  person: number;
  video: number;
  completed: boolean;
  watchedFraction: number;
  liked: boolean;
  at: number;
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

export interface World {
  persons: WorldPerson[];
  videos: WorldVideo[];
  creators: number;
  sounds: number;
}

export function generateWorld(o: { persons: number; videos: number; seed?: number; now?: number }): World {
  const r = rng(o.seed ?? 1);
  const now = o.now ?? Date.now();
  const creators = Math.max(1, Math.floor(o.persons / 10)); // the first tenth of persons post
  const sounds = Math.max(1, Math.floor(o.videos / 50));
  const persons: WorldPerson[] = [];
  for (let i = 0; i < o.persons; i++) {
    const [country, realm] = COUNTRIES[Math.floor(r() * COUNTRIES.length)]!;
    const a = Math.floor(r() * TOPICS.length);
    const b = (a + 1 + Math.floor(r() * (TOPICS.length - 1))) % TOPICS.length;
    persons.push({ index: i, country, realm, topics: [a, b], creator: Math.floor(r() * creators) });
  }
  const videos: WorldVideo[] = [];
  for (let i = 0; i < o.videos; i++) {
    const creator = Math.floor(r() * creators);
    const topic = (creator * 7 + (r() < 0.7 ? 0 : Math.floor(r() * TOPICS.length))) % TOPICS.length; // creators mostly stick to a topic
    const extra = TOPICS[Math.floor(r() * TOPICS.length)]!;
    videos.push({
      index: i,
      creator,
      topic,
      hashtags: [...new Set([TOPICS[topic]!, extra])],
      sound: Math.floor(r() * sounds),
      createdAt: now - Math.floor(r() * 30 * 86_400_000),
    });
  }
  return { persons, videos, creators, sounds };
}

/** The hidden truth: how likely a person finishes a video. */
export function tasteOf(w: World, p: WorldPerson, v: WorldVideo): number {
  let q = 0.1;
  if (v.topic === p.topics[0] || v.topic === p.topics[1]) q += 0.6;
  if (v.creator === p.creator) q += 0.2;
  return q;
}

/** `count` watch events, time-ordered; each person mostly meets videos of their topics (what a feed would show). */
export function* eventsOf(w: World, count: number, seed = 2, now = Date.now()): Generator<WorldEvent> {
  const r = rng(seed);
  const byTopic: number[][] = Array.from({ length: TOPICS.length }, () => []);
  for (const v of w.videos) byTopic[v.topic]!.push(v.index);
  const start = now - 7 * 86_400_000;
  for (let i = 0; i < count; i++) {
    const p = w.persons[Math.floor(r() * w.persons.length)]!;
    const pool = r() < 0.5 ? byTopic[p.topics[Math.floor(r() * 2)]!]! : null;
    const vi = pool && pool.length ? pool[Math.floor(r() * pool.length)]! : Math.floor(r() * w.videos.length);
    const v = w.videos[vi]!;
    const completed = r() < tasteOf(w, p, v);
    yield {
      person: p.index,
      video: vi,
      completed,
      watchedFraction: completed ? 1 : r() * 0.6,
      liked: completed && r() < 0.15,
      at: start + Math.floor((i / count) * 7 * 86_400_000),
    };
  }
}
