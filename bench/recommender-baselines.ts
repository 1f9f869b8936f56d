// Baselines for the offline harness, all fitted on the same training events and
// scoring the same candidates: most-popular, the Loops heuristic, item-kNN, EASE.
import type { Dataset, Event } from './recommender-world.ts';
import { rng } from './recommender-world.ts';

/** Training view shared by every method: positives per person, counts per item. */
export interface Train {
  data: Dataset;
  events: Event[];
  positives: number[][]; // per person, item indices (in time order)
  seen: Set<number>[]; // per person, every item with a training event (never recommended again)
  pos: Float64Array; // per item, training positives
  views: Float64Array; // per item, training events
  now: Float64Array; // per person, time of their split
}
export type Scorer = (u: number, out: Float64Array) => void;

export function mostPopular(tr: Train): Scorer {
  return (_u, out) => out.set(tr.pos);
}

/**
 * Loops' For You heuristic from its published weights: 0.25 freshness, 0.35
 * engagement, 0.30 personalisation, 0.10 trust, and 30 % of slots given to random
 * discovery (see `discovery`). Each component is normalised to [0, 1].
 */
export function loops(tr: Train): Scorer {
  const { items } = tr.data;
  const n = items.length;
  const maxLog = Math.log1p(Math.max(...tr.pos));
  const creatorPos = new Map<string, number>();
  const creatorViews = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const c = items[i]!.creatorId;
    creatorPos.set(c, (creatorPos.get(c) ?? 0) + tr.pos[i]!);
    creatorViews.set(c, (creatorViews.get(c) ?? 0) + tr.views[i]!);
  }
  return (u, out) => {
    const tagAff = new Map<string, number>();
    const creAff = new Map<string, number>();
    const hist = tr.positives[u]!;
    for (const i of hist) {
      for (const t of items[i]!.hashtags) tagAff.set(t, (tagAff.get(t) ?? 0) + 1 / hist.length);
      creAff.set(items[i]!.creatorId, (creAff.get(items[i]!.creatorId) ?? 0) + 1 / hist.length);
    }
    const now = tr.now[u]!;
    for (let i = 0; i < n; i++) {
      const v = items[i]!;
      const ageDays = Math.max(0, (now - v.createdAt) / 86_400_000);
      const fresh = Math.exp(-ageDays / 7);
      const engagement = Math.log1p(tr.pos[i]!) / maxLog;
      let tags = 0;
      for (const t of v.hashtags) tags = Math.max(tags, tagAff.get(t) ?? 0);
      const personal = Math.min(1, 0.5 * tags + 0.5 * (creAff.get(v.creatorId) ?? 0));
      const trust = (creatorPos.get(v.creatorId)! + 1) / (creatorViews.get(v.creatorId)! + 2);
      out[i] = 0.25 * fresh + 0.35 * engagement + 0.3 * personal + 0.1 * trust;
    }
  };
}

/** Loops fills 30 % of the slots with random candidates: applied to a ranked list, seeded per person. */
export function discovery(ranked: number[], pool: number[], u: number, share = 0.3): number[] {
  const r = rng(1000 + u);
  const out: number[] = [];
  const used = new Set<number>();
  let k = 0;
  while (out.length < ranked.length) {
    let i: number;
    if (r() < share) i = pool[Math.floor(r() * pool.length)]!;
    else i = ranked[k++]!;
    if (i === undefined || used.has(i)) {
      if (k >= ranked.length && i === undefined) break;
      continue;
    }
    used.add(i);
    out.push(i);
  }
  return out;
}

/** Item-kNN: cosine similarity over training positives, top `k` neighbours per item. */
export function itemKnn(tr: Train, k = 100): Scorer {
  const n = tr.data.items.length;
  const users: number[][] = Array.from({ length: n }, () => []);
  tr.positives.forEach((hist, u) => hist.forEach((i) => users[i]!.push(u)));
  const nbr: { ids: Int32Array; sims: Float32Array }[] = [];
  const co = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const touched: number[] = [];
    for (const u of users[j]!)
      for (const i of tr.positives[u]!) {
        if (i === j) continue;
        if (co[i] === 0) touched.push(i);
        co[i]! += 1;
      }
    const sims = touched.map((i) => [i, co[i]! / Math.sqrt(tr.pos[i]! * tr.pos[j]!)] as const).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (const i of touched) co[i] = 0;
    const top = sims.slice(0, k);
    nbr.push({ ids: Int32Array.from(top.map((x) => x[0])), sims: Float32Array.from(top.map((x) => x[1])) });
  }
  return (u, out) => {
    out.fill(0);
    for (const j of tr.positives[u]!) {
      const { ids, sims } = nbr[j]!;
      for (let x = 0; x < ids.length; x++) out[ids[x]!]! += sims[x]!;
    }
  };
}

/** EASE (Steck 2019): B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, closed form on the `maxItems` most popular items. */
export function ease(tr: Train, maxItems = 2000, lambda = 200): { scorer: Scorer; items: number } {
  const n = tr.data.items.length;
  const order = Array.from({ length: n }, (_, i) => i)
    .filter((i) => tr.pos[i]! > 0)
    .sort((a, b) => tr.pos[b]! - tr.pos[a]! || a - b)
    .slice(0, maxItems);
  const m = order.length;
  const col = new Int32Array(n).fill(-1);
  order.forEach((i, c) => (col[i] = c));
  const G = new Float64Array(m * m);
  for (const hist of tr.positives) {
    const cs = hist.map((i) => col[i]!).filter((c) => c >= 0);
    for (const a of cs) for (const b of cs) G[a * m + b]! += 1;
  }
  for (let a = 0; a < m; a++) G[a * m + a]! += lambda;
  invertSpd(G, m);
  const B = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) B[a * m + b] = a === b ? 0 : -G[a * m + b]! / G[b * m + b]!;
  return {
    items: m,
    scorer: (u, out) => {
      out.fill(-Infinity);
      const row = new Float64Array(m);
      for (const i of tr.positives[u]!) {
        const a = col[i]!;
        if (a < 0) continue;
        for (let b = 0; b < m; b++) row[b]! += B[a * m + b]!;
      }
      for (let b = 0; b < m; b++) out[order[b]!] = row[b]!;
    },
  };
}

/** In-place Gauss-Jordan inverse of a symmetric positive-definite matrix (no pivoting needed). */
function invertSpd(a: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    const piv = 1 / a[rk + k]!;
    a[rk + k] = 1;
    for (let j = 0; j < n; j++) a[rk + j]! *= piv;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const ri = i * n;
      const f = a[ri + k]!;
      if (f === 0) continue;
      a[ri + k] = 0;
      for (let j = 0; j < n; j++) a[ri + j]! -= f * a[rk + j]!;
    }
  }
}
