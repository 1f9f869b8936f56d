// Snapshot format of the ranker: little-endian, live slots written in table
// order (compacted), so serialize → deserialize → serialize is byte-identical.
import type { OnlineRanker, RankerOptions } from './ranker.ts';
import { SlotTable } from './table.ts';

const MAGIC = 0x4d4c5252; // "RRLM"
const FORMAT = 3;

export function writeModel(m: OnlineRanker): Uint8Array {
  const enc = new TextEncoder();
  const tables = [m.ids, m.crosses, m.histories].map((t) => {
    const keys = [...t.index.keys()].map((k) => enc.encode(k));
    return { t, keys, bytes: keys.reduce((n, k) => n + 4 + k.length + 8 + 4 * t.stride, 4) };
  });
  const co = encodeCo(m, enc);
  const size = 4 * 4 + 8 * 3 + 4 + 8 * m.globals.length + tables.reduce((n, x) => n + x.bytes, 0) + co.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let p = 0;
  const u32 = (x: number) => (dv.setUint32(p, x, true), (p += 4));
  const f64 = (x: number) => (dv.setFloat64(p, x, true), (p += 8));
  u32(MAGIC);
  u32(FORMAT);
  u32(m.opts.dim);
  u32(m.opts.seed >>> 0);
  f64(m.opts.learningRate);
  f64(m.opts.staleAfterMs);
  f64(m.updates);
  u32(m.globals.length);
  for (const g of m.globals) f64(g);
  for (const { t, keys } of tables) {
    u32(keys.length);
    let i = 0;
    for (const s of t.index.values()) {
      const k = keys[i++]!;
      u32(k.length);
      out.set(k, p);
      p += k.length;
      f64(t.seen[s]!);
      for (let j = 0; j < t.stride; j++) {
        dv.setFloat32(p, t.data[s * t.stride + j]!, true);
        p += 4;
      }
    }
  }
  out.set(co, p);
  return out;
}

/** Co-engagement: items (key, n, seen, neighbours (key, count)), then recents (person, seen, keys), in Map order. */
function encodeCo(m: OnlineRanker, enc: InstanceType<typeof TextEncoder>): Uint8Array {
  // One growable buffer written in place (a small buffer per number made a large model's snapshot take seconds).
  let out = new Uint8Array(1 << 16);
  let dv = new DataView(out.buffer);
  let p = 0;
  const room = (n: number) => {
    if (p + n <= out.length) return;
    let len = out.length * 2;
    while (len < p + n) len *= 2;
    const next = new Uint8Array(len);
    next.set(out.subarray(0, p));
    out = next;
    dv = new DataView(out.buffer);
  };
  const u32 = (x: number) => (room(4), dv.setUint32(p, x, true), (p += 4));
  const f64 = (x: number) => (room(8), dv.setFloat64(p, x, true), (p += 8));
  const str = (k: string) => {
    room(4 + 3 * k.length); // UTF-8 takes at most 3 bytes per UTF-16 unit
    const { written } = enc.encodeInto(k, out.subarray(p + 4));
    dv.setUint32(p, written, true);
    p += 4 + written;
  };
  u32(m.co.items.size);
  for (const [k, it] of m.co.items) {
    str(k);
    f64(it.n);
    f64(it.seen);
    u32(it.nb.size);
    for (const [o, c] of it.nb) {
      str(o);
      f64(c);
    }
  }
  u32(m.co.recent.size);
  for (const [k, r] of m.co.recent) {
    str(k);
    f64(r.seen);
    u32(r.list.length);
    for (const o of r.list) str(o);
  }
  return out.subarray(0, p);
}

export function readModel(b: Uint8Array, make: (o: RankerOptions) => OnlineRanker): OnlineRanker {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dec = new TextDecoder();
  let p = 0;
  const u32 = () => ((p += 4), dv.getUint32(p - 4, true));
  const f64 = () => ((p += 8), dv.getFloat64(p - 8, true));
  if (u32() !== MAGIC) throw new Error('not a Reelm ranker snapshot');
  if (u32() !== FORMAT) throw new Error('unsupported ranker snapshot format');
  const dim = u32();
  const seed = u32() | 0;
  const learningRate = f64();
  const staleAfterMs = f64();
  const m = make({ dim, seed, learningRate, staleAfterMs });
  m.updates = f64();
  const ng = u32();
  if (ng !== m.globals.length) throw new Error('ranker snapshot does not match this model');
  for (let i = 0; i < ng; i++) m.globals[i] = f64();
  for (const t of [m.ids, m.crosses, m.histories] as SlotTable[]) {
    const n = u32();
    for (let i = 0; i < n; i++) {
      const len = u32();
      const key = dec.decode(b.subarray(p, p + len));
      p += len;
      const at = f64();
      const s = t.slot(key, at);
      for (let j = 0; j < t.stride; j++) {
        t.data[s * t.stride + j] = dv.getFloat32(p, true);
        p += 4;
      }
    }
  }
  const str = () => {
    const len = u32();
    p += len;
    return dec.decode(b.subarray(p - len, p));
  };
  const ni = u32();
  for (let i = 0; i < ni; i++) {
    const k = str();
    const n = f64();
    const seen = f64();
    const nb = new Map<string, number>();
    const nn = u32();
    for (let j = 0; j < nn; j++) {
      const o = str();
      nb.set(o, f64());
    }
    m.co.items.set(k, { n, seen, nb });
  }
  const nr = u32();
  for (let i = 0; i < nr; i++) {
    const k = str();
    const seen = f64();
    const list: string[] = [];
    const nl = u32();
    for (let j = 0; j < nl; j++) list.push(str());
    m.co.recent.set(k, { seen, list });
  }
  return m;
}
