// A collisionless id table (Monolith-style): every id string gets its own slot
// in growable typed arrays on first sight; stale slots are dropped by
// compaction. The id → slot index is a KeyIndex (keys.ts), not a Map, so the
// table holds no JS object per id. No hashing of ids into a fixed space, so two
// ids never share weights.
import { grow, KeyIndex, moveRows } from './keys.ts';

export class SlotTable {
  readonly stride: number;
  readonly index = new KeyIndex();
  data: Float32Array;
  seen: Float64Array;

  constructor(stride: number, capacity = 256) {
    this.stride = stride;
    this.data = new Float32Array(stride * capacity);
    this.seen = new Float64Array(capacity);
  }

  get size(): number {
    return this.index.size;
  }

  /** The slot of `key`, or -1 when the id has never been seen (or expired). */
  get(key: string): number {
    return this.index.get(key);
  }

  /** The slot of `key`, created (zeroed, then `init`) on first sight; marks it seen at `at`. */
  slot(key: string, at: number, init?: (data: Float32Array, offset: number, key: string) => void): number {
    const s = this.index.add(key);
    if (this.index.added) {
      this.room(s + 1);
      this.data.fill(0, s * this.stride, (s + 1) * this.stride);
      init?.(this.data, s * this.stride, key);
      this.seen[s] = at;
    } else if (at > this.seen[s]!) this.seen[s] = at;
    return s;
  }

  /** Drops every slot last seen before `cutoff` (the others keep their order); returns how many. */
  expire(cutoff: number): number {
    const n = this.size;
    const keep = new Uint8Array(n);
    let dropped = 0;
    for (let s = 0; s < n; s++) {
      if (this.seen[s]! >= cutoff) keep[s] = 1;
      else dropped++;
    }
    if (dropped === 0) return 0;
    const map = this.index.compact(keep);
    moveRows(this.data, this.stride, map);
    moveRows(this.seen, 1, map);
    return dropped;
  }

  /** Room for `slots` slots. */
  room(slots: number): void {
    if (slots <= this.seen.length) return;
    let cap = this.seen.length;
    while (cap < slots) cap *= 2;
    this.data = grow(this.data, cap * this.stride);
    this.seen = grow(this.seen, cap);
  }
}
