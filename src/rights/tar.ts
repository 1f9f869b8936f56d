import { Readable } from 'node:stream';

// A minimal POSIX tar (ustar + pax headers for long names), enough for export
// archives: regular files only, written as a stream (no temporary copy of a
// person's data on disk) and read back by the importer. Any tar tool opens it.

const BLOCK = 512;

export interface TarEntry {
  readonly name: string;
  readonly size: number;
  /** the file's bytes: a buffer, or a function opening a stream of exactly `size` bytes */
  readonly body: Buffer | (() => Promise<AsyncIterable<Buffer>>);
  readonly mtimeMs?: number;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mtimeMs: number, type: '0' | 'x'): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtimeMs / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces while summing
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** A pax extended header carrying the full path, for names longer than the 100 bytes ustar holds. */
function paxPath(name: string, mtimeMs: number): Buffer[] {
  const field = (len: number) => `${len} path=${name}\n`;
  let len = Buffer.byteLength(field(0));
  while (Buffer.byteLength(field(len)) !== len) len = Buffer.byteLength(field(len));
  const body = Buffer.from(field(len));
  return [header('PaxHeader', body.length, mtimeMs, 'x'), body, padding(body.length)];
}

async function* tarChunks(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    const mtime = e.mtimeMs ?? 0;
    if (Buffer.byteLength(e.name) > 100) yield* paxPath(e.name, mtime);
    yield header(Buffer.byteLength(e.name) > 100 ? e.name.slice(-100) : e.name, e.size, mtime, '0');
    let written = 0;
    if (Buffer.isBuffer(e.body)) {
      written = e.body.length;
      yield e.body;
    } else {
      for await (const chunk of await e.body()) {
        written += chunk.length;
        yield chunk;
      }
    }
    if (written !== e.size) throw new Error(`tar entry ${e.name}: expected ${e.size} bytes, got ${written} (the file changed while archiving)`);
    yield padding(e.size);
  }
  yield Buffer.alloc(BLOCK * 2);
}

export function tarStream(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false });
}

export interface ReadEntry {
  readonly name: string;
  readonly data: Buffer;
}

/** Reads every regular file of a tar held in memory (archives are read by the importer). */
export function* readTar(tar: Buffer): Generator<ReadEntry> {
  let off = 0;
  let longName: string | undefined;
  while (off + BLOCK <= tar.length) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) return;
    const str = (start: number, len: number) => {
      const s = h.subarray(start, start + len);
      const end = s.indexOf(0);
      return s.subarray(0, end < 0 ? len : end).toString('utf8');
    };
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = str(156, 1) || '0';
    const prefix = str(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    const data = tar.subarray(off + BLOCK, off + BLOCK + size);
    if (data.length !== size) throw new Error(`tar entry ${name}: truncated`);
    off += BLOCK + size + ((BLOCK - (size % BLOCK)) % BLOCK);
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
      continue;
    }
    longName = undefined;
    if (type === '0' || type === '\0') yield { name, data: Buffer.from(data) };
  }
}
