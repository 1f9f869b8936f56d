// A collisionless string → slot index without a JS object per entry: the keys'
// UTF-8 bytes sit back to back in one byte arena (slot s is bytes[off[s], off[s+1])),
// and an open-addressing table of Int32 slots finds them by hash, comparing the
// whole key — two ids never share a slot. Slots are dense and in insertion
// order (the order a Map would iterate in); removal is by compaction, which
// keeps that order. A model of millions of ids is then a handful of typed
// arrays that the garbage collector never walks.

const EMPTY = 0; // table cells hold slot + 1

export class KeyIndex {
  /** the number of keys; slots are 0 … size − 1 */
  size = 0;
  /** @internal key bytes, slot order */ bytes = new Uint8Array(1 << 12);
  /** @internal off[s] … off[s + 1] are slot s's bytes */ off = new Int32Array(257);
  private hashes = new Int32Array(256);
  private table = new Int32Array(512);
  private scratch = new Uint8Array(256);
  private klen = 0;
  private readonly enc = new TextEncoder();
  private readonly dec = new TextDecoder();

  /** The slot of `key`, or -1. */
  get(key: string): number {
    const h = this.prepare(key);
    const mask = this.table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const c = this.table[i]!;
      if (c === EMPTY) return -1;
      if (this.hashes[c - 1] === h && this.same(c - 1)) return c - 1;
    }
  }

  /** The slot of `key`, appended (slot = size) when absent; `added` tells which. */
  add(key: string): number {
    const h = this.prepare(key);
    const mask = this.table.length - 1;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const c = this.table[i]!;
      if (c === EMPTY) break;
      if (this.hashes[c - 1] === h && this.same(c - 1)) {
        this.added = false;
        return c - 1;
      }
    }
    const s = this.size;
    this.room(s + 1, this.off[s]! + this.klen);
    this.bytes.set(this.scratch.subarray(0, this.klen), this.off[s]!);
    this.off[s + 1] = this.off[s]! + this.klen;
    this.hashes[s] = h;
    this.size = s + 1;
    if (2 * this.size > this.table.length) this.rehash(this.table.length * 2);
    else this.table[i] = s + 1;
    this.added = true;
    return s;
  }
  /** whether the last add() created its slot */
  added = false;

  key(s: number): string {
    return this.dec.decode(this.bytes.subarray(this.off[s]!, this.off[s + 1]!));
  }

  /**
   * Keeps the slots with keep[s] = 1, in order; returns old slot → new slot (-1 when dropped).
   * Callers move their own per-slot arrays with the same map (see `moveRows`).
   */
  compact(keep: Uint8Array): Int32Array {
    const map = new Int32Array(this.size).fill(-1);
    let n = 0;
    let p = 0;
    for (let s = 0; s < this.size; s++) {
      if (keep[s] !== 1) continue;
      const a = this.off[s]!;
      const b = this.off[s + 1]!;
      this.bytes.copyWithin(p, a, b);
      this.off[n] = p;
      p += b - a;
      this.hashes[n] = this.hashes[s]!;
      map[s] = n++;
    }
    this.off[n] = p;
    this.size = n;
    this.rehash(this.table.length);
    return map;
  }

  /** Replaces the content with `n` keys whose bytes are `bytes` and lengths `lens` (a snapshot). */
  load(n: number, bytes: Uint8Array, lens: Int32Array): void {
    this.size = 0;
    this.room(n, bytes.length);
    this.bytes.set(bytes);
    let p = 0;
    for (let s = 0; s < n; s++) {
      this.off[s] = p;
      p += lens[s]!;
      this.hashes[s] = hashBytes(this.bytes, this.off[s]!, p);
    }
    this.off[n] = p;
    this.size = n;
    let cap = 512;
    while (cap < 2 * n) cap *= 2;
    this.rehash(cap);
  }

  /** The key bytes of every slot, in order, and their lengths (for a snapshot). */
  dump(): { bytes: Uint8Array; lens: Int32Array } {
    const lens = new Int32Array(this.size);
    for (let s = 0; s < this.size; s++) lens[s] = this.off[s + 1]! - this.off[s]!;
    return { bytes: this.bytes.subarray(0, this.off[this.size]!), lens };
  }

  /** Slot capacity of per-slot arrays the caller keeps (grows with the index). */
  get capacity(): number {
    return this.hashes.length;
  }

  /** UTF-8 of `key` into scratch; its hash. ASCII (ids, most hashtags) takes the loop, no encoder call. */
  private prepare(key: string): number {
    const n = key.length;
    if (this.scratch.length < 3 * n) this.scratch = new Uint8Array(3 * n + 64);
    const b = this.scratch;
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) {
        this.klen = this.enc.encodeInto(key, b).written;
        return hashBytes(b, 0, this.klen);
      }
      b[i] = c;
      h = Math.imul(h ^ c, 16777619);
    }
    this.klen = n;
    return mix(h);
  }

  private same(s: number): boolean {
    const a = this.off[s]!;
    if (this.off[s + 1]! - a !== this.klen) return false;
    const bytes = this.bytes;
    const k = this.scratch;
    for (let i = 0; i < this.klen; i++) if (bytes[a + i] !== k[i]) return false;
    return true;
  }

  private room(slots: number, byteLen: number): void {
    if (slots > this.hashes.length) {
      let cap = this.hashes.length;
      while (cap < slots) cap *= 2;
      this.hashes = grow(this.hashes, cap);
      this.off = grow(this.off, cap + 1);
    }
    if (byteLen > this.bytes.length) {
      let cap = this.bytes.length;
      while (cap < byteLen) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.bytes.subarray(0, this.off[this.size]!));
      this.bytes = next;
    }
  }

  private rehash(cap: number): void {
    const t = new Int32Array(cap);
    const mask = cap - 1;
    for (let s = 0; s < this.size; s++) {
      let i = this.hashes[s]! & mask;
      while (t[i] !== EMPTY) i = (i + 1) & mask;
      t[i] = s + 1;
    }
    this.table = t;
  }
}

function hashBytes(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 16777619);
  return mix(h);
}

/** FNV-1a's low bits are weak for the table mask: a final avalanche. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x7fffffff;
}

export function grow<T extends Int32Array | Float32Array | Float64Array | Uint8Array>(a: T, len: number): T {
  const next = new (a.constructor as new (n: number) => T)(len);
  next.set(a.subarray(0, Math.min(a.length, len)) as never);
  return next;
}

/** Moves rows of `stride` elements of `a` per slot map (old → new, -1 dropped); the map is increasing, so in place. */
export function moveRows(a: Int32Array | Float32Array | Float64Array | Uint8Array, stride: number, map: Int32Array): void {
  for (let s = 0; s < map.length; s++) {
    const t = map[s]!;
    if (t >= 0 && t !== s) a.copyWithin(t * stride, s * stride, (s + 1) * stride);
  }
}
