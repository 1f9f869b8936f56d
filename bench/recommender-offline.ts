// Offline quality of the For You ranker (issue 10 "Quality and speed"), one run:
//   node bench/recommender-offline.ts
//   node bench/recommender-offline.ts --synthetic-seeds 7,99,1234   (the synthetic world under other seeds only)
// Both data sets are split in time: each person's last 20 % of events are the
// test, everything earlier trains. Every method ranks the same candidates (every
// item with a training event that existed at the person's split time, minus what
// the person already has) and is scored by
// NDCG@10 and Recall@20 against the person's held-out positives.
import path from 'node:path';
import { OnlineRanker, type VideoFeatures } from '../src/feed/model/ranker.ts';
import { discovery, ease, itemKnn, loops, mostPopular, type Scorer, type Train } from './recommender-baselines.ts';
import { movieLens, rng, syntheticWorld, type Dataset, type Event } from './recommender-world.ts';

const repo = path.resolve(import.meta.dirname, '..');
const TEST_SHARE = 0.2;

export function split(data: Dataset): { tr: Train; test: Event[][] } {
  const nP = data.persons.length;
  const nI = data.items.length;
  const per: Event[][] = Array.from({ length: nP }, () => []);
  for (const e of data.events) per[e.u]!.push(e);
  const test: Event[][] = [];
  const isTest = new Set<Event>();
  const now = new Float64Array(nP);
  per.forEach((evs, u) => {
    const k = Math.max(1, Math.round(evs.length * TEST_SHARE));
    const t = evs.length > 1 ? evs.slice(evs.length - k) : [];
    t.forEach((e) => isTest.add(e));
    test[u] = t;
    now[u] = t[0]?.t ?? Infinity;
  });
  const events = data.events.filter((e) => !isTest.has(e));
  const positives: number[][] = Array.from({ length: nP }, () => []);
  const seen: Set<number>[] = Array.from({ length: nP }, () => new Set());
  const pos = new Float64Array(nI);
  const views = new Float64Array(nI);
  for (const e of events) {
    seen[e.u]!.add(e.i);
    views[e.i]!++;
    if (e.positive) {
      positives[e.u]!.push(e.i);
      pos[e.i]!++;
    }
  }
  return { tr: { data, events, positives, seen, pos, views, now }, test };
}

/** Replays the training events one by one through the product's ranker; ranks with its score. */
export function reelm(tr: Train, o: { negatives: number; seed?: number; dim?: number; learningRate?: number }): Scorer {
  const { items, persons } = tr.data;
  const m = new OnlineRanker({ seed: o.seed ?? 1, dim: o.dim, learningRate: o.learningRate, staleAfterMs: 1e15 });
  const stats = items.map(() => ({ views: 0, completions: 0, likes: 0, shares: 0 }));
  const feat = (i: number, t: number): VideoFeatures => ({ ...items[i]!, ageHours: Math.max(0, (t - items[i]!.createdAt) / 3_600_000), stats: stats[i]! });
  const r = rng(o.seed ?? 1);
  const catalogue: number[] = [];
  const inCatalogue = new Uint8Array(items.length);
  const had: Set<number>[] = persons.map(() => new Set());
  for (const e of tr.events) {
    if (!inCatalogue[e.i]) {
      inCatalogue[e.i] = 1;
      catalogue.push(e.i);
    }
    had[e.u]!.add(e.i);
    m.observe(persons[e.u]!, feat(e.i, e.t), e.outcome, e.t);
    const s = stats[e.i]!;
    s.views++;
    s.completions += +e.outcome.completed;
    s.likes += +e.outcome.liked;
    s.shares += +e.outcome.shared;
    // Data sets without impressions (MovieLens) get sampled ones: items shown and skipped.
    for (let k = 0; k < o.negatives; k++) {
      const j = catalogue[Math.floor(r() * catalogue.length)]!;
      if (had[e.u]!.has(j)) continue;
      m.observe(persons[e.u]!, feat(j, e.t), { completed: false, liked: false, shared: false, skippedEarly: true, watchedFraction: 0.05 }, e.t);
    }
  }
  return (u, out) => {
    const p = persons[u]!;
    for (let i = 0; i < items.length; i++) out[i] = tr.views[i]! > 0 ? m.score(p, feat(i, tr.now[u]!)) : -Infinity;
  };
}

interface Result {
  ndcg: number;
  recall: number;
  ms: number;
}

export function evaluate(tr: Train, test: Event[][], score: Scorer, opts: { discovery?: boolean } = {}): Omit<Result, 'ms'> {
  const nI = tr.data.items.length;
  const out = new Float64Array(nI);
  const candidates = Array.from({ length: nI }, (_, i) => i).filter((i) => tr.views[i]! > 0);
  let ndcg = 0;
  let recall = 0;
  let n = 0;
  for (let u = 0; u < test.length; u++) {
    const rel = new Set(test[u]!.filter((e) => e.positive && !tr.seen[u]!.has(e.i)).map((e) => e.i));
    if (rel.size === 0) continue;
    score(u, out);
    // Only what existed at the person's split time: no recommending from the future.
    const now = tr.now[u]!;
    const pool = candidates.filter((i) => !tr.seen[u]!.has(i) && tr.data.items[i]!.createdAt <= now);
    let top = topK(pool, out, opts.discovery ? 60 : 20);
    if (opts.discovery) top = discovery(top, pool, u).slice(0, 20);
    let dcg = 0;
    let idcg = 0;
    let hits = 0;
    top.forEach((i, r) => {
      if (!rel.has(i)) return;
      if (r < 10) dcg += 1 / Math.log2(r + 2);
      hits++;
    });
    for (let r = 0; r < Math.min(10, rel.size); r++) idcg += 1 / Math.log2(r + 2);
    ndcg += dcg / idcg;
    recall += hits / Math.min(20, rel.size);
    n++;
  }
  return { ndcg: ndcg / n, recall: recall / n };
}

function topK(pool: number[], s: Float64Array, k: number): number[] {
  const top: number[] = [];
  for (const i of pool) {
    const v = s[i]!;
    if (v === -Infinity) continue;
    if (top.length === k && v <= s[top[k - 1]!]!) continue;
    let j = top.length < k ? top.length : k - 1;
    while (j > 0 && (s[top[j - 1]!]! < v || (s[top[j - 1]!]! === v && top[j - 1]! > i))) {
      top[j] = top[j - 1]!;
      j--;
    }
    top[j] = i;
  }
  return top;
}

function run(data: Dataset, negatives: number): Map<string, Result> {
  const { tr, test } = split(data);
  const res = new Map<string, Result>();
  const time = (name: string, f: () => Omit<Result, 'ms'>) => {
    const t0 = performance.now();
    const r = f();
    res.set(name, { ...r, ms: performance.now() - t0 });
    console.log(
      `  ${data.name.padEnd(16)} ${name.padEnd(14)} NDCG@10 ${r.ndcg.toFixed(4)}  Recall@20 ${r.recall.toFixed(4)}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  };
  console.log(
    `${data.name}: ${data.persons.length} persons, ${data.items.length} items, ${tr.events.length} training events, ${test.reduce((n, t) => n + t.length, 0)} test events`,
  );
  time('most-popular', () => evaluate(tr, test, mostPopular(tr)));
  time('loops', () => evaluate(tr, test, loops(tr), { discovery: true }));
  time('item-kNN', () => evaluate(tr, test, itemKnn(tr)));
  let easeItems = 0;
  time('EASE', () => {
    const e = ease(tr);
    easeItems = e.items;
    return evaluate(tr, test, e.scorer);
  });
  console.log(`  (EASE fitted on the ${easeItems} most-positive items)`);
  time('reelm', () => evaluate(tr, test, reelm(tr, { negatives })));
  const oracle = data.oracle;
  if (oracle) time('oracle', () => evaluate(tr, test, (u, out) => out.forEach((_, i) => (out[i] = oracle(u, i)))));
  return res;
}

function ratios(name: string, r: Map<string, Result>): void {
  const g = (m: string) => r.get(m)!;
  const line = (label: string, base: Result, goal: number) => {
    const a = g('reelm').ndcg / base.ndcg;
    const b = g('reelm').recall / base.recall;
    const ok = a >= goal && b >= goal ? 'met' : 'NOT met';
    console.log(`  ${name.padEnd(16)} reelm / ${label.padEnd(22)} NDCG ${a.toFixed(2)}×  Recall ${b.toFixed(2)}×  (goal ≥ ${goal}×: ${ok})`);
  };
  line('most-popular', g('most-popular'), 1.5);
  line('loops', g('loops'), 1.5);
  if (r.has('oracle')) line('oracle', g('oracle'), 0.7);
  else {
    const best = ['item-kNN', 'EASE'].map(g).reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
    line(`best of item-kNN/EASE`, best, 0.9);
  }
}

/** The synthetic world again under other seeds (`--synthetic-seeds 7,99`): whether a ratio is the ranker's or one split's. */
function otherSeeds(seeds: number[]): void {
  for (const seed of seeds) {
    const { tr, test } = split(syntheticWorld({ seed }));
    const f = (r: Omit<Result, 'ms'>) => `${r.ndcg.toFixed(4)} / ${r.recall.toFixed(4)}`;
    const re = evaluate(tr, test, reelm(tr, { negatives: 0 }));
    const base: [string, Omit<Result, 'ms'>][] = [
      ['most-popular', evaluate(tr, test, mostPopular(tr))],
      ['loops', evaluate(tr, test, loops(tr), { discovery: true })],
      ['oracle', evaluate(tr, test, (u, out) => out.forEach((_, i) => (out[i] = tr.data.oracle!(u, i))))],
    ];
    const ratio = base.map(([n, b]) => `${n} ${(re.ndcg / b.ndcg).toFixed(2)}× / ${(re.recall / b.recall).toFixed(2)}×`).join(', ');
    console.log(`  synthetic seed ${seed}: reelm ${f(re)}, ${base.map(([n, b]) => `${n} ${f(b)}`).join(', ')} — reelm / ${ratio}`);
  }
}

if (import.meta.main) {
  const at = process.argv.indexOf('--synthetic-seeds');
  if (at > 0) {
    otherSeeds(process.argv[at + 1]!.split(',').map(Number));
    process.exit(0);
  }
  const results: [string, Map<string, Result>][] = [];
  const ml = movieLens(repo);
  if (ml) results.push([ml.name, run(ml, 4)]);
  const world = syntheticWorld();
  results.push([world.name, run(world, 0)]);
  console.log('ratios to the goals:');
  for (const [name, r] of results) ratios(name, r);
}
