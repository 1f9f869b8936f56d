// The For You ranking model (issue 10 item 3): learns online from every watch,
// Monolith-style. Per-id weights and embeddings live in collisionless tables
// (src/feed/model/table.ts), created on first sight and expired when stale.
// Three logistic heads (completion, like, share) over: a bias; id weights of
// the video, creator, sound and hashtags; person×hashtag/creator/sound cross
// weights (memorisation); a factorisation-machine term person·item embedding
// (generalisation; interests share the hashtag embeddings, so they seed cold
// starts); dense features from public stats, freshness, country and interests.
// Row-wise AdaGrad, deterministic given the seed: embeddings are initialised
// from a hash of (seed, id), never from event order.
import { SlotTable } from './table.ts';
import { readModel, writeModel } from './codec.ts';
import { CoEngagement } from './coengage.ts';

export interface VideoFeatures {
  videoId: string;
  creatorId: string;
  soundId: string | null;
  hashtags: readonly string[];
  country: string | null;
  ageHours: number;
  stats: { views: number; completions: number; likes: number; shares: number };
}
export interface PersonContext {
  personId: string;
  country: string | null;
  interests: readonly string[];
}
export interface Outcome {
  completed: boolean;
  liked: boolean;
  shared: boolean;
  skippedEarly: boolean;
  watchedFraction: number;
}
/** Top contributing features: 'hashtag:cats', 'creator:<id>', 'sound:<id>', 'country', 'popularity', 'interest:<tag>', 'co-engagement:<videoId>'. */
export interface Prediction {
  completion: number;
  like: number;
  share: number;
  score: number;
  reasons: { feature: string; weight: number }[];
}
export interface RankerOptions {
  learningRate?: number;
  staleAfterMs?: number;
  dim?: number;
  seed?: number;
}

const HEADS = 3;
/**
 * score = Σ HEAD_WEIGHT·p(head): the blend the feed ranks by (service.ts: completion + 0.25·like + 0.25·share).
 * Completion leads: it is the commonest, best-learnt signal; the rarer like and share heads only tip
 * the order (weighting them 4 and 8 let their noise rank: offline NDCG@10 −7 % on MovieLens, −15 % synthetic).
 */
export const HEAD_WEIGHTS = [1, 0.25, 0.25] as const;
const HW_SUM = HEAD_WEIGHTS[0] + HEAD_WEIGHTS[1] + HEAD_WEIGHTS[2];
const DENSE = 8; // popularity, completion rate, like rate, share rate, freshness, country match, interest matches, co-engagement
const MAX_TAGS = 16;
const L2 = 1e-5;
const HISTORY_RATE = 0.1;
/**
 * Per-id learning: rate multiplier and AdaGrad's initial accumulator (ε in step = rate·g / √(ε + Σg²)). With ε = 0.01 the
 * first steps of a new id are ≈ rate·sign(g) whatever the error, so a skip at p = 0.1 (g = −0.1) moved a fresh cross
 * almost as far as a completion at p = 0.3 (g = 0.7); with ε ≈ 1 early steps scale with the error, as in plain SGD, and
 * the larger rate keeps the later, AdaGrad-damped steps from stalling (docs/BENCHMARKS.md, 2026-12-02 round 2).
 */
/** Video, creator, sound and hashtag weights. */
const ID_RATE = 3;
const ID_EPS = 1;
/** Person×id crosses: each is seen a handful of times per person, and starts at 0. */
const CROSS_RATE = 6;
const CROSS_EPS = 2;
/** Embeddings (row-wise AdaGrad). */
const EMB_RATE = 3;
const EMB_EPS = 1;
/** The co-engagement feature is 1 − exp(−CO_SCALE·Σ cos): gentle enough that people with many strong neighbours still differ. */
const CO_SCALE = 1;
/** Global layout: bias[3], its AdaGrad[3], FM scale per head[3], its AdaGrad[3], dense W[3·7], its AdaGrad[3·7]. */
const G_BIAS = 0;
const G_FM = 6;
const G_DENSE = 12;
const G_LEN = G_DENSE + 2 * HEADS * DENSE;

export class OnlineRanker {
  /** @internal */ readonly opts: Required<RankerOptions>;
  /** @internal ids with an embedding: v:, c:, s:, h:, p: — [w·3, acc·3, e·dim, eAcc] */
  readonly ids: SlotTable;
  /** @internal person crosses: ph:, pc:, ps: — [w·3, acc·3] */
  readonly crosses: SlotTable;
  /** @internal per person: moving average of the item vectors they completed — [h·dim] */
  readonly histories: SlotTable;
  /** @internal online item-to-item co-engagement: recent positives per person, co-positive counts per video */
  readonly co = new CoEngagement();
  /** @internal */ readonly globals = new Float64Array(G_LEN);
  /** @internal */ updates = 0;

  // Scratch for one forward pass (no allocation per prediction).
  private readonly itemSlots = new Int32Array(MAX_TAGS + 3);
  private readonly personSlots = new Int32Array(MAX_TAGS + 1);
  private readonly crossSlots = new Int32Array(MAX_TAGS + 2);
  private nItem = 0;
  private nPerson = 0;
  private nCross = 0;
  private historySlot = -1;
  private itemNorm = 1;
  private personNorm = 1;
  private readonly dense = new Float64Array(DENSE);
  private readonly pe: Float64Array;
  private readonly ie: Float64Array;
  private readonly logits = new Float64Array(HEADS);
  private readonly probs = new Float64Array(HEADS);

  constructor(o: RankerOptions = {}) {
    this.opts = { learningRate: o.learningRate ?? 0.1, staleAfterMs: o.staleAfterMs ?? 30 * 86_400_000, dim: o.dim ?? 16, seed: o.seed ?? 1 };
    const d = this.opts.dim;
    this.ids = new SlotTable(2 * HEADS + d + 1);
    this.crosses = new SlotTable(2 * HEADS);
    this.histories = new SlotTable(d);
    this.pe = new Float64Array(d);
    this.ie = new Float64Array(d);
    this.globals[G_FM] = 1;
    this.globals[G_FM + 1] = 1;
    this.globals[G_FM + 2] = 1;
  }

  /** Bumped by every update, so a serving process can tell whether its snapshot is current. */
  get version(): number {
    return this.updates;
  }

  observe(p: PersonContext, v: VideoFeatures, o: Outcome, at: number): void {
    this.gather(p, v, at);
    this.forward(p, v);
    const y0 = o.completed ? 1 : 0;
    const y1 = o.liked ? 1 : 0;
    const y2 = o.shared ? 1 : 0;
    const err = [y0 - this.probs[0]!, y1 - this.probs[1]!, y2 - this.probs[2]!];
    this.backward(err);
    if (o.completed || o.liked) {
      // The person's taste vector drifts towards what they finish: item-to-item generalisation.
      const hs = this.histories.slot('p:' + p.personId, at) * this.opts.dim;
      const h = this.histories.data;
      for (let i = 0; i < this.opts.dim; i++) h[hs + i]! += HISTORY_RATE * (this.ie[i]! - h[hs + i]!);
      this.co.positive(p.personId, v.videoId, at);
    }
    this.updates++;
  }

  predict(p: PersonContext, v: VideoFeatures): Prediction {
    this.gather(p, v, -1);
    this.forward(p, v);
    const [c, l, s] = this.probs;
    return { completion: c!, like: l!, share: s!, score: HEAD_WEIGHTS[0] * c! + HEAD_WEIGHTS[1] * l! + HEAD_WEIGHTS[2] * s!, reasons: this.reasons(p, v) };
  }

  /** The combined score alone, without reasons: the fast path for ranking hundreds of candidates. */
  score(p: PersonContext, v: VideoFeatures): number {
    this.gather(p, v, -1);
    this.forward(p, v);
    return HEAD_WEIGHTS[0] * this.probs[0]! + HEAD_WEIGHTS[1] * this.probs[1]! + HEAD_WEIGHTS[2] * this.probs[2]!;
  }

  /** The three heads' probabilities alone (no reasons): what ranking a session's candidates needs. */
  heads(p: PersonContext, v: VideoFeatures): { completion: number; like: number; share: number } {
    this.gather(p, v, -1);
    this.forward(p, v);
    return { completion: this.probs[0]!, like: this.probs[1]!, share: this.probs[2]! };
  }

  /** Drops every id and cross not seen within staleAfterMs of `now`; returns how many. */
  expire(now: number): number {
    const cutoff = now - this.opts.staleAfterMs;
    const n = this.ids.expire(cutoff) + this.crosses.expire(cutoff) + this.histories.expire(cutoff) + this.co.expire(cutoff);
    if (n > 0) this.updates++;
    return n;
  }

  serialize(): Uint8Array {
    return writeModel(this);
  }

  static deserialize(b: Uint8Array): OnlineRanker {
    return readModel(b, (o) => new OnlineRanker(o));
  }

  /** Resolves the slots of every feature; `at` ≥ 0 creates missing ones (training), -1 only looks up. */
  private gather(p: PersonContext, v: VideoFeatures, at: number): void {
    const ids = this.ids;
    const look = at < 0 ? (k: string) => ids.get(k) : (k: string) => ids.slot(k, at, this.initEmbedding);
    const cross = at < 0 ? (k: string) => this.crosses.get(k) : (k: string) => this.crosses.slot(k, at);
    const tags = v.hashtags.length > MAX_TAGS ? v.hashtags.slice(0, MAX_TAGS) : v.hashtags;
    let n = 0;
    this.itemSlots[n++] = look('v:' + v.videoId);
    this.itemSlots[n++] = look('c:' + v.creatorId);
    if (v.soundId != null) this.itemSlots[n++] = look('s:' + v.soundId);
    for (const t of tags) this.itemSlots[n++] = look('h:' + t);
    this.nItem = n;
    this.itemNorm = 1 / Math.sqrt(n);
    const ints = p.interests.length > MAX_TAGS ? p.interests.slice(0, MAX_TAGS) : p.interests;
    n = 0;
    this.personSlots[n++] = look('p:' + p.personId);
    for (const t of ints) this.personSlots[n++] = look('h:' + t);
    this.nPerson = n;
    this.historySlot = this.histories.get('p:' + p.personId);
    this.personNorm = ints.length > 0 ? 1 / Math.sqrt(ints.length) : 0;
    n = 0;
    const pid = p.personId + '|';
    this.crossSlots[n++] = cross('pc:' + pid + v.creatorId);
    if (v.soundId != null) this.crossSlots[n++] = cross('ps:' + pid + v.soundId);
    for (const t of tags) this.crossSlots[n++] = cross('ph:' + pid + t);
    this.nCross = n;
  }

  private readonly initEmbedding = (data: Float32Array, off: number, key: string): void => {
    // Seeded by (seed, id) only, so the order ids are first seen in cannot change the model.
    const d = this.opts.dim;
    let x = this.opts.seed | 0;
    for (let i = 0; i < key.length; i++) x = Math.imul(x ^ key.charCodeAt(i), 16777619);
    for (let i = 0; i < d; i++) {
      x = (x + 0x6d2b79f5) | 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      data[off + 2 * HEADS + i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * (0.1 * Math.sqrt(3 / d));
    }
  };

  private forward(p: PersonContext, v: VideoFeatures): void {
    const d = this.opts.dim;
    const data = this.ids.data;
    const st = this.ids.stride;
    const g = this.globals;
    const pe = this.pe.fill(0);
    const ie = this.ie.fill(0);
    const lin0 = g[G_BIAS]!;
    const lin = [lin0, g[G_BIAS + 1]!, g[G_BIAS + 2]!];
    for (let k = 0; k < this.nItem; k++) {
      const s = this.itemSlots[k]!;
      if (s < 0) continue;
      const o = s * st;
      lin[0]! += data[o]!;
      lin[1]! += data[o + 1]!;
      lin[2]! += data[o + 2]!;
      for (let i = 0; i < d; i++) ie[i]! += data[o + 2 * HEADS + i]! * this.itemNorm;
    }
    for (let k = 0; k < this.nPerson; k++) {
      const s = this.personSlots[k]!;
      if (s < 0) continue;
      const o = s * st;
      const w = k === 0 ? 1 : this.personNorm;
      if (k === 0) {
        lin[0]! += data[o]!;
        lin[1]! += data[o + 1]!;
        lin[2]! += data[o + 2]!;
      }
      for (let i = 0; i < d; i++) pe[i]! += data[o + 2 * HEADS + i]! * w;
    }
    if (this.historySlot >= 0) {
      const h = this.histories.data;
      const o = this.historySlot * d;
      for (let i = 0; i < d; i++) pe[i]! += h[o + i]!;
    }
    const cd = this.crosses.data;
    for (let k = 0; k < this.nCross; k++) {
      const s = this.crossSlots[k]!;
      if (s < 0) continue;
      const o = s * this.crosses.stride;
      lin[0]! += cd[o]!;
      lin[1]! += cd[o + 1]!;
      lin[2]! += cd[o + 2]!;
    }
    denseFeatures(p, v, this.dense);
    const co = this.co.score(p.personId, v.videoId);
    this.dense[7] = co > 0 ? 1 - Math.exp(-CO_SCALE * co) : 0;
    let dot = 0;
    for (let i = 0; i < d; i++) dot += pe[i]! * ie[i]!;
    this.dot = dot;
    for (let h = 0; h < HEADS; h++) {
      let z = lin[h]! + g[G_FM + h]! * dot;
      for (let j = 0; j < DENSE; j++) z += g[G_DENSE + h * DENSE + j]! * this.dense[j]!;
      this.logits[h] = z;
      this.probs[h] = 1 / (1 + Math.exp(-z));
    }
  }
  private dot = 0;

  private backward(err: number[]): void {
    const lr = this.opts.learningRate;
    const d = this.opts.dim;
    const g = this.globals;
    // Globals: bias, FM scale, dense weights — per-coordinate AdaGrad.
    for (let h = 0; h < HEADS; h++) {
      const e = err[h]!;
      adagrad(g, G_BIAS + h, G_BIAS + HEADS + h, e, lr);
      adagrad(g, G_FM + h, G_FM + HEADS + h, e * this.dot - L2 * (g[G_FM + h]! - 1), lr);
      for (let j = 0; j < DENSE; j++) {
        const x = this.dense[j]!;
        if (x !== 0) adagrad(g, G_DENSE + h * DENSE + j, G_DENSE + HEADS * DENSE + h * DENSE + j, e * x, lr);
      }
    }
    // Linear id weights and crosses.
    const st = this.ids.stride;
    const data = this.ids.data;
    const linear = (arr: Float32Array, o: number, rate: number, eps: number) => {
      for (let h = 0; h < HEADS; h++) adagrad(arr, o + h, o + HEADS + h, err[h]! - L2 * arr[o + h]!, rate, eps);
    };
    for (let k = 0; k < this.nItem; k++) linear(data, this.itemSlots[k]! * st, ID_RATE * lr, ID_EPS);
    linear(data, this.personSlots[0]! * st, lr, 0.01);
    for (let k = 0; k < this.nCross; k++) linear(this.crosses.data, this.crossSlots[k]! * this.crosses.stride, CROSS_RATE * lr, CROSS_EPS);
    // Embeddings: the FM term's gradient, shared by the heads through their scales.
    const G = err[0]! * g[G_FM]! + err[1]! * g[G_FM + 1]! + err[2]! * g[G_FM + 2]!;
    const emb = (o: number, other: Float64Array, scale: number) => {
      const e0 = o + 2 * HEADS;
      let sq = 0;
      for (let i = 0; i < d; i++) {
        const gr = G * other[i]! * scale - L2 * data[e0 + i]!;
        sq += gr * gr;
      }
      const acc = (data[e0 + d]! += sq / d);
      const step = (EMB_RATE * lr) / Math.sqrt(acc + EMB_EPS);
      for (let i = 0; i < d; i++) data[e0 + i]! += step * (G * other[i]! * scale - L2 * data[e0 + i]!);
    };
    for (let k = 0; k < this.nItem; k++) emb(this.itemSlots[k]! * st, this.pe, this.itemNorm);
    for (let k = 0; k < this.nPerson; k++) emb(this.personSlots[k]! * st, this.ie, k === 0 ? 1 : this.personNorm);
  }

  private reasons(p: PersonContext, v: VideoFeatures): { feature: string; weight: number }[] {
    const out = new Map<string, number>();
    const add = (f: string, w: number) => out.set(f, (out.get(f) ?? 0) + w);
    const st = this.ids.stride;
    const data = this.ids.data;
    const d = this.opts.dim;
    const g = this.globals;
    const fm = (HEAD_WEIGHTS[0] * g[G_FM]! + HEAD_WEIGHTS[1] * g[G_FM + 1]! + HEAD_WEIGHTS[2] * g[G_FM + 2]!) / HW_SUM;
    const linOf = (arr: Float32Array, o: number) => (HEAD_WEIGHTS[0] * arr[o]! + HEAD_WEIGHTS[1] * arr[o + 1]! + HEAD_WEIGHTS[2] * arr[o + 2]!) / HW_SUM;
    const embDot = (o: number, other: Float64Array, scale: number) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += data[o + 2 * HEADS + i]! * other[i]!;
      return fm * s * scale;
    };
    const names = ['creator:' + v.creatorId];
    if (v.soundId != null) names.push('sound:' + v.soundId);
    for (const t of v.hashtags.slice(0, MAX_TAGS)) names.push('hashtag:' + t);
    for (let k = 1; k < this.nItem; k++) {
      const s = this.itemSlots[k]!;
      if (s >= 0) add(names[k - 1]!, linOf(data, s * st) + embDot(s * st, this.pe, this.itemNorm));
    }
    for (let k = 0; k < this.nCross; k++) {
      const s = this.crossSlots[k]!;
      if (s >= 0) add(names[k]!, linOf(this.crosses.data, s * this.crosses.stride));
    }
    const ints = p.interests.slice(0, MAX_TAGS);
    for (let k = 1; k < this.nPerson; k++) {
      const s = this.personSlots[k]!;
      if (s >= 0) add('interest:' + ints[k - 1], embDot(s * st, this.ie, this.personNorm));
    }
    const dw = (j: number) =>
      (HEAD_WEIGHTS[0] * g[G_DENSE + j]! + HEAD_WEIGHTS[1] * g[G_DENSE + DENSE + j]! + HEAD_WEIGHTS[2] * g[G_DENSE + 2 * DENSE + j]!) / HW_SUM;
    let pop = 0;
    for (let j = 0; j < 5; j++) pop += dw(j) * this.dense[j]!;
    add('popularity', pop);
    if (this.dense[5]! > 0) add('country', dw(5));
    if (this.dense[7]! > 0 && this.co.best !== '') add('co-engagement:' + this.co.best, dw(7) * this.dense[7]!);
    if (this.dense[6]! > 0) for (const t of v.hashtags) if (p.interests.includes(t)) add('interest:' + t, dw(6));
    return [...out]
      .filter(([, w]) => w > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 3)
      .map(([feature, weight]) => ({ feature, weight }));
  }
}

function adagrad(arr: Float32Array | Float64Array, w: number, acc: number, grad: number, lr: number, eps = 0.01): void {
  const a = (arr[acc]! += grad * grad);
  arr[w]! += (lr * grad) / Math.sqrt(a + eps);
}

/** Dense features from public stats, freshness, country and interests, each roughly in [0, 1]. */
function denseFeatures(p: PersonContext, v: VideoFeatures, out: Float64Array): void {
  const s = v.stats;
  out[0] = Math.log1p(s.views) / 14;
  out[1] = (s.completions + 1) / (s.views + 3);
  out[2] = (s.likes + 0.2) / (s.views + 3);
  out[3] = (s.shares + 0.02) / (s.views + 3);
  out[4] = Math.exp(-Math.max(0, v.ageHours) / 72);
  out[5] = p.country != null && p.country === v.country ? 1 : 0;
  let m = 0;
  for (const t of v.hashtags) if (p.interests.includes(t)) m++;
  out[6] = m > 0 ? Math.min(1, m / 2) : 0;
}
