// Cold start: the fixed topics a new person may pick at sign-up
// (GET/PUT /api/v1/feed/interests). Each topic stands for a few hashtags; what
// the person picked is stored as those hashtags in feed_interests.tags (the
// model's interest features and the interest candidate source read them) and
// as topic ids in feed_interests.topics (what the picker shows again).
// The first hashtag of each topic is the seeded world's (src/feed/seed/world.ts).

export interface Topic {
  id: string;
  name: string;
  hashtags: readonly string[];
}

export const TOPIC_LIST: readonly Topic[] = [
  { id: 'cats', name: 'Cats', hashtags: ['cats', 'kittens', 'catsoftiktok'] },
  { id: 'dogs', name: 'Dogs', hashtags: ['dogs', 'puppies', 'dogsoftiktok'] },
  { id: 'cooking', name: 'Cooking', hashtags: ['cooking', 'recipes', 'food'] },
  { id: 'football', name: 'Football', hashtags: ['football', 'soccer'] },
  { id: 'dance', name: 'Dance', hashtags: ['dance', 'choreography'] },
  { id: 'comedy', name: 'Comedy', hashtags: ['comedy', 'funny'] },
  { id: 'diy', name: 'DIY', hashtags: ['diy', 'crafts'] },
  { id: 'travel', name: 'Travel', hashtags: ['travel', 'wanderlust'] },
  { id: 'fitness', name: 'Fitness', hashtags: ['fitness', 'workout'] },
  { id: 'music', name: 'Music', hashtags: ['music', 'cover'] },
  { id: 'gaming', name: 'Gaming', hashtags: ['gaming', 'games'] },
  { id: 'art', name: 'Art', hashtags: ['art', 'drawing'] },
  { id: 'science', name: 'Science', hashtags: ['science', 'physics'] },
  { id: 'fashion', name: 'Fashion', hashtags: ['fashion', 'outfit'] },
  { id: 'makeup', name: 'Make-up', hashtags: ['makeup', 'beauty'] },
  { id: 'cars', name: 'Cars', hashtags: ['cars', 'motorsport'] },
  { id: 'books', name: 'Books', hashtags: ['books', 'booktok'] },
  { id: 'garden', name: 'Gardening', hashtags: ['garden', 'plants'] },
  { id: 'surf', name: 'Surfing', hashtags: ['surf', 'ocean'] },
  { id: 'chess', name: 'Chess', hashtags: ['chess'] },
];

const byId = new Map(TOPIC_LIST.map((t) => [t.id, t]));

export const isTopic = (id: string) => byId.has(id);

/**
 * The hashtags of the picked topics, each once: every topic's first hashtag, then every second one, and so
 * on — the interest candidate source reads the first few, so each topic is among them.
 */
export function topicHashtags(ids: readonly string[]): string[] {
  const lists = ids.map((id) => byId.get(id)?.hashtags ?? []);
  const out: string[] = [];
  for (let k = 0; lists.some((l) => k < l.length); k++) for (const l of lists) if (k < l.length) out.push(l[k]!);
  return [...new Set(out)];
}
