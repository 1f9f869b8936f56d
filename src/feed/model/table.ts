// A collisionless id table (Monolith-style): every id string gets its own slot
// in growable typed arrays on first sight; stale slots are freed and reused.
// No hashing of ids into a fixed space, so two ids never share weights.

export class SlotTable {
  readonly stride: number;
  readonly index = new Map<string, number>();
  data: Float32Array;
  seen: Float64Array;
  private free: number[] = [];
  private used = 0;

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
    return this.index.get(key) ?? -1;
  }

  /** The slot of `key`, created (zeroed, then `init`) on first sight; marks it seen at `at`. */
  slot(key: string, at: number, init?: (data: Float32Array, offset: number, key: string) => void): number {
    let s = this.index.get(key);
    if (s === undefined) {
      s = this.free.pop() ?? this.grow();
      this.index.set(key, s);
      this.data.fill(0, s * this.stride, (s + 1) * this.stride);
      init?.(this.data, s * this.stride, key);
      this.seen[s] = at;
    } else if (at > this.seen[s]!) this.seen[s] = at;
    return s;
  }

  /** Frees every slot last seen before `cutoff`; returns how many. */
  expire(cutoff: number): number {
    let n = 0;
    for (const [key, s] of this.index) {
      if (this.seen[s]! < cutoff) {
        this.index.delete(key);
        this.free.push(s);
        n++;
      }
    }
    return n;
  }

  private grow(): number {
    const s = this.used++;
    if (s >= this.seen.length) {
      const cap = this.seen.length * 2;
      const data = new Float32Array(cap * this.stride);
      data.set(this.data);
      this.data = data;
      const seen = new Float64Array(cap);
      seen.set(this.seen);
      this.seen = seen;
    }
    return s;
  }
}
