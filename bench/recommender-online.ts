// Online learning (issue 10 "Quality and speed"): one stream of the synthetic
// world, replayed in time order. Both models learn the first 30 %; then the
// "frozen" one is a snapshot that stops learning while the online one keeps
// observing every event. Each later event is predicted by both before the online
// model sees it (prequential), and scored by the AUCs of completion and like.
//   node bench/recommender-online.ts
import { OnlineRanker, type VideoFeatures } from '../src/feed/model/ranker.ts';
import { syntheticWorld } from './recommender-world.ts';

/** Rank-based AUC (ties count half). */
export function auc(scores: Float64Array, labels: Uint8Array): number {
  const idx = Array.from(scores.keys()).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let pos = 0;
  for (let k = 0; k < idx.length;) {
    let j = k;
    while (j < idx.length && scores[idx[j]!] === scores[idx[k]!]) j++;
    const mid = (k + j + 1) / 2;
    for (let x = k; x < j; x++) {
      if (!labels[idx[x]!]) continue;
      rankSum += mid;
      pos++;
    }
    k = j;
  }
  const neg = idx.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

if (import.meta.main) {
  const world = syntheticWorld({ persons: 1500, videos: 3000, impressions: 120, seed: 7 });
  const { items, persons, events } = world;
  const cut = Math.floor(events.length * 0.3);
  const online = new OnlineRanker({ seed: 1 });
  const stats = items.map(() => ({ views: 0, completions: 0, likes: 0, shares: 0 }));
  const feat = (i: number, t: number): VideoFeatures => ({ ...items[i]!, ageHours: (t - items[i]!.createdAt) / 3_600_000, stats: stats[i]! });
  let frozen: OnlineRanker | null = null;
  const n = events.length - cut;
  const pred = { online: [new Float64Array(n), new Float64Array(n)], frozen: [new Float64Array(n), new Float64Array(n)] };
  const labels = [new Uint8Array(n), new Uint8Array(n)];
  const t0 = performance.now();
  events.forEach((e, k) => {
    if (k === cut) frozen = OnlineRanker.deserialize(online.serialize());
    const p = persons[e.u]!;
    const v = feat(e.i, e.t);
    if (frozen) {
      const x = k - cut;
      const a = online.predict(p, v);
      const b = frozen.predict(p, v);
      pred.online[0]![x] = a.completion;
      pred.online[1]![x] = a.like;
      pred.frozen[0]![x] = b.completion;
      pred.frozen[1]![x] = b.like;
      labels[0]![x] = +e.outcome.completed;
      labels[1]![x] = +e.outcome.liked;
    }
    online.observe(p, v, e.outcome, e.t);
    const s = stats[e.i]!; // public stats keep updating for both models
    s.views++;
    s.completions += +e.outcome.completed;
    s.likes += +e.outcome.liked;
    s.shares += +e.outcome.shared;
  });
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `stream: ${events.length} events (${persons.length} persons, ${items.length} videos uploaded over 30 days); frozen after the first ${cut}; ${secs.toFixed(1)} s`,
  );
  for (const [h, name] of [
    [0, 'completion'],
    [1, 'like'],
  ] as const) {
    const a = auc(pred.online[h]!, labels[h]!);
    const b = auc(pred.frozen[h]!, labels[h]!);
    console.log(`  ${name.padEnd(10)} AUC online ${a.toFixed(4)}  frozen ${b.toFixed(4)}  gain ${((a - b) * 100).toFixed(2)} points`);
  }
  // Serving cost: one person against 500 candidates, as a For You request ranks them.
  const cands = Array.from({ length: 500 }, (_, k) => feat((k * 7) % items.length, events.at(-1)!.t));
  for (const [name, f] of [
    ['score', (p: (typeof persons)[number], v: VideoFeatures) => online.score(p, v)],
    ['predict', (p: (typeof persons)[number], v: VideoFeatures) => online.predict(p, v).score],
  ] as const) {
    let sink = 0;
    const t1 = performance.now();
    for (let r = 0; r < 200; r++) for (const v of cands) sink += f(persons[r % persons.length]!, v);
    const us = ((performance.now() - t1) * 1000) / (200 * cands.length);
    console.log(`  ${name}(): ${us.toFixed(2)} µs per candidate, ${((us * 500) / 1000).toFixed(2)} ms per 500 (checksum ${sink.toFixed(1)})`);
  }
  console.log(`  model: ${online.ids.size} ids, ${online.crosses.size} crosses, snapshot ${(online.serialize().byteLength / 1e6).toFixed(1)} MB`);
}
