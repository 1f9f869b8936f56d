import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import type { BlobInfo, BlobStore, ByteRange } from './blob-store.ts';

// Local-folder driver: one folder per realm. Writes go to a temp file and are
// renamed into place, so a crash never leaves a half-written blob under its key.

export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly location: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
    this.location = this.#root;
  }

  localPath(key: string): string {
    if (!/^[A-Za-z0-9._\-/]+$/.test(key) || key.split('/').some((p) => p === '' || p === '.' || p === '..')) {
      throw new Error(`invalid blob key: ${key}`);
    }
    return join(this.#root, key);
  }

  async #info(key: string): Promise<BlobInfo | undefined> {
    try {
      const s = await stat(this.localPath(key));
      if (!s.isFile()) return undefined;
      return { key, size: s.size, etag: `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`, modifiedAt: s.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async #tempFor(path: string): Promise<string> {
    await mkdir(dirname(path), { recursive: true });
    return `${path}.tmp-${randomBytes(6).toString('hex')}`;
  }

  async put(key: string, body: Buffer | Readable): Promise<BlobInfo> {
    const path = this.localPath(key);
    const tmp = await this.#tempFor(path);
    try {
      if (Buffer.isBuffer(body)) await pipeline([body], createWriteStream(tmp));
      else await pipeline(body, createWriteStream(tmp));
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return (await this.#info(key))!;
  }

  async putFile(key: string, file: string): Promise<BlobInfo> {
    const path = this.localPath(key);
    const tmp = await this.#tempFor(path);
    try {
      await copyFile(file, tmp);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return (await this.#info(key))!;
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const info = await this.#info(key);
    if (!info) throw Object.assign(new Error(`no blob ${key}`), { code: 'ENOENT' });
    // Large chunks: fewer thread-pool reads and socket writes per megabyte served.
    return createReadStream(this.localPath(key), { highWaterMark: 1024 * 1024, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async readRangeInto(key: string, range: ByteRange, into: Buffer): Promise<number> {
    const length = range.end - range.start + 1;
    if (into.length < length) throw new RangeError(`buffer of ${into.length} bytes is too small for ${length}`);
    const fh = await open(this.localPath(key), 'r');
    try {
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(into, got, length - got, range.start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got !== length) throw new Error(`blob ${key} is shorter than the range asked for`);
      return got;
    } finally {
      await fh.close();
    }
  }

  getBuffer(key: string): Promise<Buffer> {
    return readFile(this.localPath(key));
  }

  stat(key: string): Promise<BlobInfo | undefined> {
    return this.#info(key);
  }

  async delete(key: string): Promise<void> {
    await rm(this.localPath(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    let n = 0;
    for await (const b of this.list(prefix)) {
      await this.delete(b.key);
      n++;
    }
    const dir = join(this.#root, prefix);
    if (prefix.endsWith('/')) await rm(dir, { recursive: true, force: true });
    return n;
  }

  async *list(prefix = ''): AsyncIterable<BlobInfo> {
    const start = join(this.#root, prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '');
    for (const file of await walk(start)) {
      const key = relative(this.#root, file).split(sep).join('/');
      if (!key.startsWith(prefix) || /\.tmp-[0-9a-f]{12}$/.test(key)) continue;
      const info = await this.#info(key);
      if (info) yield info;
    }
  }
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
