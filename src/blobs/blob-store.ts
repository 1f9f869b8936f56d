import type { Readable } from 'node:stream';

// One interface for a realm's object storage. Drivers: local folder (default)
// and S3-compatible (one bucket per realm). Keys are '/'-separated paths; every
// key that holds personal data starts with `users/<ownerId>/` so that audits and
// moves can find a person's files by prefix.

export interface BlobInfo {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly modifiedAt: number;
  readonly contentType?: string;
}

export interface ByteRange {
  readonly start: number;
  /** inclusive */
  readonly end: number;
}

export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** Human-readable location for manifests and audit reports (folder path or s3://bucket). */
  readonly location: string;
  put(key: string, body: Buffer | Readable, opts?: { contentType?: string }): Promise<BlobInfo>;
  /** Copies a local file in (the media pipeline writes renditions to temp files first). */
  putFile(key: string, file: string, opts?: { contentType?: string }): Promise<BlobInfo>;
  get(key: string, range?: ByteRange): Promise<Readable>;
  getBuffer(key: string): Promise<Buffer>;
  /** Local driver only: reads a range into `into` (from offset 0) and returns the byte count; lets callers reuse buffers. */
  readRangeInto?(key: string, range: ByteRange, into: Buffer): Promise<number>;
  stat(key: string): Promise<BlobInfo | undefined>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<number>;
  list(prefix?: string): AsyncIterable<BlobInfo>;
  /** Local driver only: the file's path on disk (for sendfile / X-Accel-Redirect). */
  localPath?(key: string): string;
  /** S3 driver only: a presigned GET URL valid for `seconds`. */
  presignGet?(key: string, seconds: number, opts?: { contentType?: string; cacheControl?: string }): Promise<string>;
  close?(): Promise<void>;
}

export function ownerPrefix(ownerId: string): string {
  return `users/${ownerId}/`;
}

/** The owner id a key belongs to, or undefined for realm-level keys. */
export function ownerOfKey(key: string): string | undefined {
  const m = /^users\/([^/]+)\//.exec(key);
  return m?.[1];
}

/** Keys are '/'-separated paths of safe characters, with no empty, '.' or '..' segment (both drivers enforce this). */
export function assertBlobKey(key: string): void {
  if (!/^[A-Za-z0-9._\-/]+$/.test(key) || key.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`invalid blob key: ${key}`);
  }
}

/** Raised by `get`/`getBuffer` for a key that holds no blob (both drivers). */
export function isBlobMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
