import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobInfo, BlobStore } from '../blobs/blob-store.ts';
import { contentTypeForKey } from '../blobs/content-types.ts';
import { notFound } from '../api/errors.ts';
import { parseRange } from './ranges.ts';

// Node carrying the bytes itself (delivery mode `direct`): the same HTTP
// semantics nginx gives static files — Range, ETag, Last-Modified, 304.

/** Headers every media answer carries: the type is never sniffed, and a blob can never run as a page. */
export function safetyHeaders(reply: FastifyReply) {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "default-src 'none'; sandbox");
}

/** Ranges up to this size are read in one call and sent as one buffer (players ask for ≤ a few MiB). */
const inMemoryLimit = 4 * 1024 * 1024;

// Reused read buffers: a fresh multi-MiB allocation per request costs page faults
// and garbage collection that show up as a large share of Node's media throughput.
const POOL_MAX = 8;
const pool: Buffer[] = [];
const takeBuffer = () => pool.pop() ?? Buffer.allocUnsafeSlow(inMemoryLimit);
const returnBuffer = (b: Buffer) => {
  if (pool.length < POOL_MAX) pool.push(b);
};

export async function sendBlob(req: FastifyRequest, reply: FastifyReply, store: BlobStore, key: string, cacheControl: string) {
  const info = await store.stat(key);
  if (!info) throw notFound('That media');
  const lastModified = new Date(Math.floor(info.modifiedAt / 1000) * 1000).toUTCString();
  safetyHeaders(reply);
  reply.header('cache-control', cacheControl);
  reply.header('etag', info.etag);
  reply.header('last-modified', lastModified);
  reply.header('accept-ranges', 'bytes');

  if (notModified(req, info)) return reply.code(304).send();

  let range = req.method === 'GET' ? parseRange(oneHeader(req.headers.range), info.size) : ({ kind: 'none' } as const);
  if (range.kind !== 'none' && !ifRangeHolds(oneHeader(req.headers['if-range']), info, lastModified)) range = { kind: 'none' };
  if (range.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${info.size}`);
    return reply
      .code(416)
      .send({ error: { code: 'range_not_satisfiable', message: `The requested range is not within this ${info.size}-byte file (one range at a time).` } });
  }
  reply.header('content-type', info.contentType ?? contentTypeForKey(key));
  const r = range.kind === 'range' ? range.range : undefined;
  if (r) reply.code(206).header('content-range', `bytes ${r.start}-${r.end}/${info.size}`);
  reply.header('content-length', String(r ? r.end - r.start + 1 : info.size));
  if (req.method === 'HEAD' || info.size === 0) return reply.send();
  const whole = r ?? { start: 0, end: info.size - 1 };
  if (store.readRangeInto && whole.end - whole.start < inMemoryLimit) {
    const buf = takeBuffer();
    let n: number;
    try {
      n = await store.readRangeInto(key, whole, buf);
    } catch (err) {
      returnBuffer(buf);
      throw err;
    }
    // Written straight to the socket: the buffer goes back to the pool once the
    // response has been handed to the kernel (or the client went away).
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(reply.statusCode, reply.getHeaders() as Record<string, string>);
    let released = false;
    const release = () => {
      if (!released) returnBuffer(buf);
      released = true;
    };
    raw.once('finish', release);
    raw.once('close', release);
    raw.end(buf.subarray(0, n));
    return reply;
  }
  return reply.send(await store.get(key, r));
}

/** If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2); weak comparison for If-None-Match. */
function notModified(req: FastifyRequest, info: BlobInfo): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    const bare = (t: string) => t.trim().replace(/^W\//, '');
    return inm.split(',').some((t) => bare(t) === bare(info.etag));
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(info.modifiedAt / 1000) * 1000 <= since;
}

/** If-Range: serve the range only when the client's copy is the current one (strong ETag or exact date). */
function ifRangeHolds(ifRange: string | undefined, info: BlobInfo, lastModified: string): boolean {
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return v === info.etag;
  return v === lastModified;
}

function oneHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}
