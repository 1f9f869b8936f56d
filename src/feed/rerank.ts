import type { Candidate, Source } from './candidates.ts';

// Re-ranking a scored list into a page: never two of one creator or one sound
// in a row, no source filling more than half a page, and an exploration share
// (every k-th slot goes to the best fresh video when there is one).

export interface Scored extends Candidate {
  score: number;
}

export function rerank(list: readonly Scored[], limit: number, exploreShare: number): Scored[] {
  const pool = [...list].sort((a, b) => b.score - a.score || (a.row.video_id < b.row.video_id ? -1 : 1));
  const page: Scored[] = [];
  const perSource = new Map<Source, number>();
  const cap = Math.max(2, Math.ceil(limit / 2));
  const every = exploreShare > 0 ? Math.max(2, Math.round(1 / exploreShare)) : 0;
  while (page.length < limit && pool.length) {
    const prev = page[page.length - 1];
    const fits = (c: Scored, strict: boolean) =>
      (!prev || (c.row.owner_id !== prev.row.owner_id && (!c.row.sound_id || c.row.sound_id !== prev.row.sound_id))) &&
      (!strict || (perSource.get(c.source) ?? 0) < cap);
    const wantExplore = every > 0 && (page.length + 1) % every === 0;
    let i = wantExplore ? pool.findIndex((c) => c.source === 'explore' && fits(c, true)) : -1;
    if (i < 0) i = pool.findIndex((c) => fits(c, true));
    if (i < 0) i = pool.findIndex((c) => fits(c, false)); // the mix gives way before the no-repeat rule does
    if (i < 0) break; // only same-creator / same-sound videos left: end the page rather than repeat
    const [c] = pool.splice(i, 1);
    page.push(c!);
    perSource.set(c!.source, (perSource.get(c!.source) ?? 0) + 1);
  }
  return page;
}
