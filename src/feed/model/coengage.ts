// Online item-to-item co-engagement (what the co-engagement candidate source
// does in production, inside the ranker): per person a ring of their last K
// positive videos; per video its positive count and a bounded neighbour list
// of co-positive counts (two videos co-occur when one person had both within K
// consecutive positives: a session-like window, not their whole history). A
// candidate scores Σ over the person's recent positives r of
// RECENCY^age(r) · co(r, c) / √(n(r)·n(c)) — item-kNN cosine, learned per
// event, the newest positive counting most.
//
// Layout without a JS object per entry (a realm's model holds millions of
// neighbour counts): videos and people are slots of KeyIndexes; per video its
// count, last sight and a neighbour list (video slots and counts) in a shared
// pool, grown by moving the list to the pool's end; per person a fixed ring of
// K video slots. Lists keep insertion order (what the Map they replace did), so
// eviction ties and snapshots are the same whatever the pool layout.
import { grow, KeyIndex, moveRows } from './keys.ts';

/**
 * The window: 15 (was 50). On MovieLens a shorter window is the better item-item signal (NDCG@10 / Recall@20 with the
 * other settings of 2026-12-02: K = 50 0.1487 / 0.1913, 25 0.1514 / 0.1937, 15 0.1555 / 0.1964, 10 0.1566 / 0.1943;
 * K = 100 0.1437 / 0.1881). Snapshots with longer rings keep their newest RECENT_K on load (codec.ts).
 */
export const RECENT_K = 15;
/** Neighbours kept per video (was 100): 150 gains MovieLens Recall@20 0.1908 → 0.1962; 200 and 300 add nothing more. */
export const NEIGHBOURS = 150;
/** A recent positive `a` places back in the ring weighs RECENCY^a (0 for the newest). */
export const RECENCY = 0.9;
const DECAY = Float64Array.from({ length: RECENT_K }, (_, a) => Math.pow(RECENCY, a));
const FIRST_CAP = 8;

export class CoEngagement {
  /** @internal videos */ readonly items = new KeyIndex();
  /** @internal per video: positives */ n = new Float64Array(256);
  /** @internal per video: last sight */ seen = new Float64Array(256);
  /** @internal per video: its neighbour list's start in the pool, capacity and length */
  nbStart = new Int32Array(256);
  nbCap = new Int32Array(256);
  nbLen = new Int32Array(256);
  /** @internal the neighbour pool: video slot and co-positive count (an integer) per entry */
  poolSlot = new Int32Array(1 << 12);
  poolCount = new Int32Array(1 << 12);
  poolUsed = 0;
  /** @internal people */ readonly people = new KeyIndex();
  /** @internal per person: last sight, ring length, ring (RECENT_K video slots each) */
  personSeen = new Float64Array(64);
  ringLen = new Int32Array(64);
  ring = new Int32Array(64 * RECENT_K);

  private bestSlot = -1;
  // score() marks the scored person's ring once (stamp per video slot), then walks the candidate's neighbours.
  private mark = new Int32Array(256);
  private markPos = new Int32Array(256);
  private stamp = 0;
  private markedPerson = -1;
  private changes = 0;
  private markedAt = -1;

  /** The recent positive that contributed most to the last score() ('' when none). */
  get best(): string {
    return this.bestSlot < 0 ? '' : this.items.key(this.bestSlot);
  }

  /** Records a positive of `videoId` by `personId` at `at`. */
  positive(personId: string, videoId: string, at: number): void {
    this.changes++;
    const c = this.item(videoId, at);
    this.n[c]!++;
    const r = this.person(personId, at);
    const len = this.ringLen[r]!;
    const base = r * RECENT_K;
    for (let i = 0; i < len; i++) if (this.ring[base + i] === c) return;
    for (let i = 0; i < len; i++) {
      const o = this.ring[base + i]!;
      this.bump(c, o);
      this.bump(o, c);
    }
    if (len < RECENT_K) {
      this.ring[base + len] = c;
      this.ringLen[r] = len + 1;
    } else {
      this.ring.copyWithin(base, base + 1, base + RECENT_K);
      this.ring[base + RECENT_K - 1] = c;
    }
  }

  /** Σ RECENCY^age · cosine(candidate, recent positive) over the person's recent positives. */
  score(personId: string, videoId: string): number {
    this.bestSlot = -1;
    const r = this.people.get(personId);
    const c = this.items.get(videoId);
    if (r < 0 || c < 0 || this.nbLen[c] === 0) return 0;
    if (r !== this.markedPerson || this.markedAt !== this.changes) this.markRing(r);
    let s = 0;
    let top = 0;
    let topPos = RECENT_K;
    const nc = this.n[c]!;
    const newest = this.ringLen[r]! - 1;
    const start = this.nbStart[c]!;
    const end = start + this.nbLen[c]!;
    for (let j = start; j < end; j++) {
      const o = this.poolSlot[j]!;
      if (this.mark[o] !== this.stamp) continue;
      const pos = this.markPos[o]!;
      const x = (DECAY[newest - pos]! * this.poolCount[j]!) / Math.sqrt(nc * this.n[o]!);
      s += x;
      // The strongest; on ties the earliest in the ring (the order the Map version walked the ring in).
      if (x > top || (x === top && pos < topPos)) {
        top = x;
        topPos = pos;
        this.bestSlot = o;
      }
    }
    return s;
  }

  expire(cutoff: number): number {
    this.changes++;
    const ni = this.items.size;
    const keep = new Uint8Array(ni);
    let n = 0;
    for (let s = 0; s < ni; s++) {
      if (this.seen[s]! >= cutoff) keep[s] = 1;
      else n++;
    }
    const map = n > 0 ? this.items.compact(keep) : null;
    if (map) {
      for (const a of [this.n, this.seen, this.nbStart, this.nbCap, this.nbLen]) moveRows(a, 1, map);
      this.repack(map);
    }
    const np = this.people.size;
    const keepP = new Uint8Array(np);
    let dropped = 0;
    for (let r = 0; r < np; r++) {
      if (this.personSeen[r]! >= cutoff) keepP[r] = 1;
      else dropped++;
    }
    if (dropped > 0) {
      const pm = this.people.compact(keepP);
      moveRows(this.personSeen, 1, pm);
      moveRows(this.ringLen, 1, pm);
      moveRows(this.ring, RECENT_K, pm);
      n += dropped;
    }
    if (map) {
      // Rings drop the expired videos, keeping their order.
      for (let r = 0; r < this.people.size; r++) {
        const base = r * RECENT_K;
        let k = 0;
        for (let i = 0; i < this.ringLen[r]!; i++) {
          const t = map[this.ring[base + i]!]!;
          if (t >= 0) this.ring[base + k++] = t;
        }
        this.ringLen[r] = k;
      }
    }
    return n;
  }

  /** Rewrites the neighbour pool tightly, through `map` (old → new video slot, -1 dropped) when given. */
  repack(map: Int32Array | null): void {
    const ni = this.items.size;
    let total = 0;
    for (let s = 0; s < ni; s++) total += this.nbLen[s]!;
    const slots = new Int32Array(Math.max(1 << 12, total + (total >> 2)));
    const counts = new Int32Array(slots.length);
    let p = 0;
    for (let s = 0; s < ni; s++) {
      const start = this.nbStart[s]!;
      const from = p;
      for (let j = start; j < start + this.nbLen[s]!; j++) {
        const o = map ? map[this.poolSlot[j]!]! : this.poolSlot[j]!;
        if (o < 0) continue;
        slots[p] = o;
        counts[p++] = this.poolCount[j]!;
      }
      this.nbStart[s] = from;
      this.nbLen[s] = p - from;
      this.nbCap[s] = p - from;
    }
    this.poolSlot = slots;
    this.poolCount = counts;
    this.poolUsed = p;
  }

  /** The slot of video `id`, created on first sight; marks it seen at `at`. */
  item(id: string, at: number): number {
    const s = this.items.add(id);
    if (this.items.added) {
      if (s >= this.n.length) {
        const cap = this.n.length * 2;
        this.n = grow(this.n, cap);
        this.seen = grow(this.seen, cap);
        this.nbStart = grow(this.nbStart, cap);
        this.nbCap = grow(this.nbCap, cap);
        this.nbLen = grow(this.nbLen, cap);
      }
      this.n[s] = 0;
      this.seen[s] = at;
      this.nbStart[s] = 0;
      this.nbCap[s] = 0;
      this.nbLen[s] = 0;
    } else if (at > this.seen[s]!) this.seen[s] = at;
    return s;
  }

  /** The slot of person `id`, created with an empty ring on first sight; marks them seen at `at`. */
  person(id: string, at: number): number {
    const r = this.people.add(id);
    if (this.people.added) {
      if (r >= this.personSeen.length) {
        const cap = this.personSeen.length * 2;
        this.personSeen = grow(this.personSeen, cap);
        this.ringLen = grow(this.ringLen, cap);
        this.ring = grow(this.ring, cap * RECENT_K);
      }
      this.personSeen[r] = at;
      this.ringLen[r] = 0;
    } else if (at > this.personSeen[r]!) this.personSeen[r] = at;
    return r;
  }

  /** +1 on the co-positive count of `o` in `c`'s list; a full list evicts its weakest (first in order on ties). */
  private bump(c: number, o: number): void {
    const start = this.nbStart[c]!;
    const len = this.nbLen[c]!;
    for (let j = start; j < start + len; j++) {
      if (this.poolSlot[j] === o) return void this.poolCount[j]!++;
    }
    if (len >= NEIGHBOURS) {
      let w = start;
      for (let j = start + 1; j < start + len; j++) if (this.poolCount[j]! < this.poolCount[w]!) w = j;
      this.poolSlot.copyWithin(w, w + 1, start + len);
      this.poolCount.copyWithin(w, w + 1, start + len);
      this.poolSlot[start + len - 1] = o;
      this.poolCount[start + len - 1] = 1;
      return;
    }
    if (len === this.nbCap[c]) this.moveList(c, Math.min(NEIGHBOURS, Math.max(FIRST_CAP, 2 * len)));
    const at = this.nbStart[c]! + len;
    this.poolSlot[at] = o;
    this.poolCount[at] = 1;
    this.nbLen[c] = len + 1;
  }

  /** Moves `c`'s list to the pool's end with capacity `cap` (the old block becomes garbage; repack when it dominates). */
  private moveList(c: number, cap: number): void {
    if (this.poolUsed + cap > this.poolSlot.length) {
      let live = 0;
      for (let s = 0; s < this.items.size; s++) live += this.nbCap[s]!;
      if (live < this.poolUsed / 2) this.repack(null);
      if (this.poolUsed + cap > this.poolSlot.length) {
        let len = this.poolSlot.length;
        while (len < this.poolUsed + cap) len *= 2;
        this.poolSlot = grow(this.poolSlot, len);
        this.poolCount = grow(this.poolCount, len);
      }
    }
    const from = this.nbStart[c]!;
    const len = this.nbLen[c]!;
    const to = this.poolUsed;
    this.poolSlot.copyWithin(to, from, from + len);
    this.poolCount.copyWithin(to, from, from + len);
    this.nbStart[c] = to;
    this.nbCap[c] = cap;
    this.poolUsed = to + cap;
  }

  private markRing(r: number): void {
    if (this.mark.length < this.items.size) {
      this.mark = grow(this.mark, this.n.length);
      this.markPos = grow(this.markPos, this.n.length);
    }
    this.stamp++;
    const base = r * RECENT_K;
    for (let i = 0; i < this.ringLen[r]!; i++) {
      const o = this.ring[base + i]!;
      this.mark[o] = this.stamp;
      this.markPos[o] = i;
    }
    this.markedPerson = r;
    this.markedAt = this.changes;
  }
}
