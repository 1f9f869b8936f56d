import type { Candidate } from './candidates.ts';
import type { Prediction } from './model/ranker.ts';

// "Why this video": the source that found it and the model's top features, in one sentence.

export interface Why {
  source: string;
  sentence: string;
  features: { feature: string; weight: number }[];
}

export function explain(c: Candidate, p: Prediction | null): Why {
  const r = c.row;
  const tag = c.via ?? r.hashtags.split(' ')[0] ?? '';
  const sentence = (() => {
    switch (c.source) {
      case 'hashtag':
        return `Because you watched #${tag} to the end`;
      case 'interest':
        return `Because you are interested in #${tag}`;
      case 'creator':
        return `Because you watched @${r.owner_handle}’s videos to the end`;
      case 'sound':
        return `Because you finished videos with the sound “${r.sound_title}”`;
      case 'co':
        return 'Because people who finished the videos you finished also watched this';
      case 'following':
        return `Because you follow @${r.owner_handle}`;
      case 'trending_country':
        return 'Popular in your country right now';
      case 'trending':
        return 'Popular on Reelm right now';
      case 'explore':
        return 'New on Reelm: shown to a few people to see whether it holds attention';
    }
  })();
  // Only features about the video are named (hashtags, creator, sound, popularity…), never another person.
  const features = (p?.reasons ?? []).filter((f) => !f.feature.startsWith('person')).slice(0, 3);
  return { source: c.source, sentence, features };
}
