// Snapshot format of the ranker. Format 4: little-endian; a header, then each
// table as whole blocks — its keys (count, byte length, per-key lengths, the
// UTF-8 bytes), then its per-slot arrays — so (de)serialising is a few large
// copies, not one call per number. Slots are dense and in insertion order, so
// serialize → deserialize → serialize is byte-identical and later learning is
// identical too. Format 3 (one record per id, Map-based co-engagement) is still
// read, so stored models upgrade on their next training run.
import { KeyIndex } from './keys.ts';
import type { OnlineRanker, RankerOptions } from './ranker.ts';
import { RECENT_K } from './coengage.ts';
import { SlotTable } from './table.ts';

const MAGIC = 0x4d4c5252; // "RRLM"
const FORMAT = 4;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Typed = Int32Array | Float32Array | Float64Array | Uint8Array;

/** Collects the snapshot's parts (typed-array views, no copy) and joins them once. */
class Writer {
  private parts: Uint8Array[] = [];
  private head = new DataView(new ArrayBuffer(0));
  private hp = 0;
  private headBuf = new Uint8Array(0);
  private flushHead(): void {
    if (this.hp > 0) this.parts.push(this.headBuf.subarray(0, this.hp));
    this.headBuf = new Uint8Array(256);
    this.head = new DataView(this.headBuf.buffer);
    this.hp = 0;
  }
  u32(x: number): void {
    if (this.hp + 4 > this.headBuf.length) this.flushHead();
    this.head.setUint32(this.hp, x, true);
    this.hp += 4;
  }
  f64(x: number): void {
    if (this.hp + 8 > this.headBuf.length) this.flushHead();
    this.head.setFloat64(this.hp, x, true);
    this.hp += 8;
  }
  block(a: Typed, n = a.length): void {
    this.flushHead();
    this.parts.push(new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT));
  }
  keys(k: KeyIndex): void {
    const { bytes, lens } = k.dump();
    this.u32(k.size);
    this.u32(bytes.length);
    this.block(lens);
    this.block(bytes);
  }
  done(): Uint8Array {
    this.flushHead();
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let p = 0;
    for (const part of this.parts) {
      out.set(part, p);
      p += part.length;
    }
    return out;
  }
}

class Reader {
  p = 0;
  readonly dv: DataView;
  readonly b: Uint8Array;
  constructor(b: Uint8Array) {
    this.b = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u32(): number {
    this.p += 4;
    return this.dv.getUint32(this.p - 4, true);
  }
  f64(): number {
    this.p += 8;
    return this.dv.getFloat64(this.p - 8, true);
  }
  /** Fills the first `n` elements of `into` from the next bytes. */
  block<T extends Typed>(into: T, n: number): T {
    const len = n * into.BYTES_PER_ELEMENT;
    if (this.p + len > this.b.length) throw new Error('ranker snapshot is truncated');
    new Uint8Array(into.buffer, into.byteOffset, len).set(this.b.subarray(this.p, this.p + len));
    this.p += len;
    return into;
  }
  keys(k: KeyIndex): number {
    const n = this.u32();
    const bytes = this.u32();
    const lens = this.block(new Int32Array(n), n);
    if (this.p + bytes > this.b.length) throw new Error('ranker snapshot is truncated');
    k.load(n, this.b.subarray(this.p, this.p + bytes), lens);
    this.p += bytes;
    return n;
  }
}

export function writeModel(m: OnlineRanker): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('ranker snapshots need a little-endian platform');
  const w = new Writer();
  w.u32(MAGIC);
  w.u32(FORMAT);
  w.u32(m.opts.dim);
  w.u32(m.opts.seed >>> 0);
  w.f64(m.opts.learningRate);
  w.f64(m.opts.staleAfterMs);
  w.f64(m.updates);
  w.u32(m.globals.length);
  w.block(m.globals);
  for (const t of [m.ids, m.crosses, m.histories]) {
    w.keys(t.index);
    w.block(t.seen, t.size);
    w.block(t.data, t.size * t.stride);
  }
  const co = m.co;
  const ni = co.items.size;
  w.keys(co.items);
  w.block(co.n, ni);
  w.block(co.seen, ni);
  w.block(co.nbLen, ni);
  co.repack(null); // lists back to back in item order: two blocks
  w.block(co.poolSlot, co.poolUsed);
  w.block(co.poolCount, co.poolUsed);
  const np = co.people.size;
  w.keys(co.people);
  w.block(co.personSeen, np);
  w.block(co.ringLen, np);
  const rings = new Int32Array(np * RECENT_K);
  let k = 0;
  for (let r = 0; r < np; r++) for (let i = 0; i < co.ringLen[r]!; i++) rings[k++] = co.ring[r * RECENT_K + i]!;
  w.block(rings, k);
  return w.done();
}

export function readModel(b: Uint8Array, make: (o: RankerOptions) => OnlineRanker): OnlineRanker {
  if (!LITTLE_ENDIAN) throw new Error('ranker snapshots need a little-endian platform');
  const r = new Reader(b);
  if (r.u32() !== MAGIC) throw new Error('not a Reelm ranker snapshot');
  const format = r.u32();
  if (format !== FORMAT && format !== 3) throw new Error('unsupported ranker snapshot format');
  const dim = r.u32();
  const seed = r.u32() | 0;
  const learningRate = r.f64();
  const staleAfterMs = r.f64();
  const m = make({ dim, seed, learningRate, staleAfterMs });
  m.updates = r.f64();
  const ng = r.u32();
  if (ng !== m.globals.length) throw new Error('ranker snapshot does not match this model');
  if (format === 3) return readFormat3(r, m);
  r.block(m.globals, ng);
  for (const t of [m.ids, m.crosses, m.histories] as SlotTable[]) {
    const n = r.keys(t.index);
    t.room(n);
    r.block(t.seen, n);
    r.block(t.data, n * t.stride);
  }
  const co = m.co;
  const ni = r.keys(co.items);
  co.n = r.block(new Float64Array(Math.max(256, ni)), ni);
  co.seen = r.block(new Float64Array(co.n.length), ni);
  co.nbLen = r.block(new Int32Array(co.n.length), ni);
  co.nbStart = new Int32Array(co.n.length);
  co.nbCap = new Int32Array(co.n.length);
  let total = 0;
  for (let s = 0; s < ni; s++) {
    co.nbStart[s] = total;
    co.nbCap[s] = co.nbLen[s]!;
    total += co.nbLen[s]!;
  }
  co.poolSlot = r.block(new Int32Array(Math.max(1 << 12, total + (total >> 2))), total);
  co.poolCount = r.block(new Int32Array(co.poolSlot.length), total);
  co.poolUsed = total;
  const np = r.keys(co.people);
  const cap = Math.max(64, np);
  co.personSeen = r.block(new Float64Array(cap), np);
  co.ringLen = r.block(new Int32Array(cap), np);
  co.ring = new Int32Array(cap * RECENT_K);
  let longest = 0;
  for (let p = 0; p < np; p++) longest = Math.max(longest, co.ringLen[p]!);
  const ring = new Int32Array(longest);
  for (let p = 0; p < np; p++) {
    // A snapshot from a longer window (RECENT_K was 50) keeps each person's newest RECENT_K.
    const len = co.ringLen[p]!;
    r.block(ring, len);
    const keep = Math.min(len, RECENT_K);
    co.ring.set(ring.subarray(len - keep, len), p * RECENT_K);
    co.ringLen[p] = keep;
  }
  if (r.p !== b.length) throw new Error('ranker snapshot has trailing bytes');
  return m;
}

/** Format 3: per-id records (key, seen, weights); co-engagement as items with neighbour keys, then rings of keys. */
function readFormat3(r: Reader, m: OnlineRanker): OnlineRanker {
  const dec = new TextDecoder();
  const str = () => {
    const len = r.u32();
    r.p += len;
    return dec.decode(r.b.subarray(r.p - len, r.p));
  };
  for (let i = 0; i < m.globals.length; i++) m.globals[i] = r.f64();
  for (const t of [m.ids, m.crosses, m.histories] as SlotTable[]) {
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const s = t.slot(str(), r.f64());
      for (let j = 0; j < t.stride; j++) t.data[s * t.stride + j] = r.dv.getFloat32((r.p += 4) - 4, true);
    }
  }
  const co = m.co;
  // Items first (their neighbour lists name items that come later), then a second pass for the lists.
  const ni = r.u32();
  const lists: number[] = [];
  for (let i = 0; i < ni; i++) {
    const k = str();
    const n = r.f64();
    const s = co.item(k, r.f64());
    co.n[s] = n;
    lists.push(r.p);
    const nn = r.u32();
    for (let j = 0; j < nn; j++) {
      const len = r.u32();
      r.p += len + 8;
    }
  }
  const end = r.p;
  const slots: number[] = [];
  const counts: number[] = [];
  const lens = new Int32Array(ni);
  for (let i = 0; i < ni; i++) {
    r.p = lists[i]!;
    const nn = r.u32();
    for (let j = 0; j < nn; j++) {
      const o = co.items.get(str());
      const c = r.f64();
      if (o < 0) continue;
      slots.push(o);
      counts.push(c);
      lens[i]!++;
    }
  }
  co.poolSlot = new Int32Array(Math.max(1 << 12, slots.length));
  co.poolSlot.set(slots);
  co.poolCount = new Int32Array(co.poolSlot.length);
  co.poolCount.set(counts);
  co.poolUsed = slots.length;
  let p = 0;
  for (let s = 0; s < ni; s++) {
    co.nbStart[s] = p;
    co.nbLen[s] = lens[s]!;
    co.nbCap[s] = lens[s]!;
    p += lens[s]!;
  }
  r.p = end;
  const nr = r.u32();
  for (let i = 0; i < nr; i++) {
    const pr = co.person(str(), r.f64());
    const nl = r.u32();
    const ring: number[] = [];
    for (let j = 0; j < nl; j++) {
      const o = co.items.get(str());
      if (o >= 0) ring.push(o);
    }
    // Oldest first; a longer window than today's keeps the newest RECENT_K.
    const kept = ring.slice(Math.max(0, ring.length - RECENT_K));
    co.ring.set(kept, pr * RECENT_K);
    co.ringLen[pr] = kept.length;
  }
  return m;
}
