// Online item-to-item co-engagement (what the co-engagement candidate source
// does in production, inside the ranker): per person a ring of their last K
// positive videos; per video its positive count and a bounded neighbour list
// of co-positive counts. A candidate scores Σ over the person's recent
// positives r of co(r, c) / √(n(r)·n(c)) — item-kNN cosine, learned per event.
export const RECENT_K = 50;
export const NEIGHBOURS = 100;

export interface CoItem {
  n: number;
  seen: number;
  nb: Map<string, number>;
}

export class CoEngagement {
  readonly items = new Map<string, CoItem>();
  readonly recent = new Map<string, { seen: number; list: string[] }>();
  /** The recent positive that contributed most to the last score(). */
  best = '';

  /** Records a positive of `videoId` by `personId` at `at`. */
  positive(personId: string, videoId: string, at: number): void {
    const c = this.item(videoId, at);
    c.n++;
    let r = this.recent.get(personId);
    if (r === undefined) this.recent.set(personId, (r = { seen: at, list: [] }));
    r.seen = Math.max(r.seen, at);
    if (r.list.includes(videoId)) return;
    for (const o of r.list) {
      const oi = this.items.get(o);
      if (oi === undefined) continue;
      bump(c.nb, o);
      bump(oi.nb, videoId);
    }
    r.list.push(videoId);
    if (r.list.length > RECENT_K) r.list.shift();
  }

  /** Σ cosine(candidate, recent positive) over the person's recent positives. */
  score(personId: string, videoId: string): number {
    this.best = '';
    const r = this.recent.get(personId);
    const c = this.items.get(videoId);
    if (r === undefined || c === undefined || c.nb.size === 0) return 0;
    let s = 0;
    let top = 0;
    for (const o of r.list) {
      const k = c.nb.get(o);
      if (k === undefined) continue;
      const x = k / Math.sqrt(c.n * this.items.get(o)!.n);
      s += x;
      if (x > top) {
        top = x;
        this.best = o;
      }
    }
    return s;
  }

  expire(cutoff: number): number {
    let n = 0;
    for (const [k, it] of this.items) {
      if (it.seen < cutoff) {
        this.items.delete(k);
        n++;
      }
    }
    if (n > 0) {
      for (const it of this.items.values()) for (const o of it.nb.keys()) if (!this.items.has(o)) it.nb.delete(o);
    }
    for (const [k, r] of this.recent) {
      if (r.seen < cutoff) {
        this.recent.delete(k);
        n++;
      } else r.list = r.list.filter((o) => this.items.has(o));
    }
    return n;
  }

  private item(id: string, at: number): CoItem {
    let it = this.items.get(id);
    if (it === undefined) this.items.set(id, (it = { n: 0, seen: at, nb: new Map() }));
    it.seen = Math.max(it.seen, at);
    return it;
  }
}

function bump(nb: Map<string, number>, key: string): void {
  const k = nb.get(key);
  if (k !== undefined) return void nb.set(key, k + 1);
  if (nb.size >= NEIGHBOURS) {
    // Bounded: evict the weakest neighbour (first in order on ties).
    let wk = '';
    let wv = Infinity;
    for (const [o, v] of nb) {
      if (v < wv) {
        wv = v;
        wk = o;
      }
    }
    nb.delete(wk);
  }
  nb.set(key, 1);
}
