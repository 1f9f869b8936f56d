import type { Reelm } from '../context.ts';
import { tagKey } from './text.ts';

// Information banners on videos with chosen hashtags (config
// `moderation.banners`, src/moderation/config.ts; e.g. elections → a link to
// official information). The first banner whose hashtags meet the video's wins.

export interface InfoBanner {
  text: string;
  url: string | null;
}

export function infoBanners(reelm: Reelm): (hashtags: string) => InfoBanner | null {
  const rules = (reelm.config.moderation?.banners ?? []).map((b) => ({ tags: new Set(b.hashtags.map(tagKey)), banner: { text: b.text, url: b.url ?? null } }));
  if (rules.length === 0) return () => null;
  return (hashtags) => {
    const tags = hashtags ? hashtags.split(' ') : [];
    return rules.find((r) => tags.some((t) => r.tags.has(t)))?.banner ?? null;
  };
}
