import type { ByteRange } from '../blobs/blob-store.ts';

// `Range: bytes=…` for one range (RFC 9110 §14). Players ask for one range at a
// time; multiple ranges (multipart/byteranges) are refused with 416 rather than
// served, and so is any malformed or unsatisfiable bytes range.

export type RangeRequest = { kind: 'none' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable' };

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'none' };
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return { kind: 'none' }; // another unit: ignore the header, serve the whole blob
  const spec = m[1]!.trim();
  if (spec.includes(',')) return { kind: 'unsatisfiable' };
  const r = /^(\d*)-(\d*)$/.exec(spec);
  if (!r || (r[1] === '' && r[2] === '') || r[1]!.length > 15 || r[2]!.length > 15) return { kind: 'unsatisfiable' };
  if (r[1] === '') {
    // suffix range: the last N bytes
    const n = Number(r[2]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { start: Math.max(0, size - n), end: size - 1 } };
  }
  const start = Number(r[1]);
  const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
  if (start >= size || (r[2] !== '' && Number(r[2]) < start)) return { kind: 'unsatisfiable' };
  return { kind: 'range', range: { start, end } };
}
