import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat as statFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertBlobKey, type BlobInfo, type BlobStore, type ByteRange } from './blob-store.ts';
import { contentTypeForKey } from './content-types.ts';

// S3-compatible driver: one bucket per realm, private (no public ACL or policy is
// ever set; reads from outside go through presigned URLs). Tested against
// OpenStack Swift's s3api (scripts/swift/start.sh), so it sticks to the core S3
// calls and does not rely on flexible checksums.

export interface S3BlobConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Bodies up to this size go in one PutObject; larger ones as a multipart upload. */
export const multipartThreshold = 32 * 1024 * 1024;
/** Part size for multipart uploads (S3 needs ≥ 5 MiB for every part but the last). */
export const partSize = 8 * 1024 * 1024;

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly bucket: string;
  readonly #client: S3Client;
  readonly #listPageSize: number;
  #ready: Promise<void> | undefined;

  /** `listPageSize` is for tests that exercise pagination without writing 1000 objects. */
  constructor(config: S3BlobConfig, opts: { listPageSize?: number } = {}) {
    this.#listPageSize = opts.listPageSize ?? 1000;
    this.bucket = config.bucket;
    this.location = `s3://${config.bucket}`;
    this.#client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: true,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
    // Multi-object delete must carry Content-MD5 on Swift (and on older S3
    // servers); the SDK now sends a CRC32 instead, so add the MD5 ourselves.
    this.#client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown };
        if (context.commandName === 'DeleteObjectsCommand' && request.headers && typeof request.body === 'string') {
          request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
        }
        return next(args);
      },
      { step: 'build', name: 'reelmContentMd5ForDeleteObjects' },
    );
  }

  /** Creates the realm's bucket when it does not exist yet; runs once, before the first operation. */
  ready(): Promise<void> {
    this.#ready ??= this.#ensureBucket().catch((err) => {
      this.#ready = undefined; // try again on the next call (the server may come up later)
      throw err;
    });
    return this.#ready;
  }

  async #ensureBucket() {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (err) {
      if (statusOf(err) !== 404) throw describe(err, `bucket ${this.bucket}`);
    }
    try {
      await this.#client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const name = (err as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw describe(err, `creating bucket ${this.bucket}`);
      if (name === 'BucketAlreadyExists') throw new Error(`S3 bucket ${this.bucket} exists and belongs to another account`);
    }
  }

  async put(key: string, body: Buffer | Readable, opts: { contentType?: string } = {}): Promise<BlobInfo> {
    assertBlobKey(key);
    await this.ready();
    const contentType = opts.contentType ?? contentTypeForKey(key);
    if (Buffer.isBuffer(body)) {
      if (body.length <= multipartThreshold) await this.#putOne(key, body, body.length, contentType);
      else await this.#multipart(key, contentType, chunksOf(Readable.from([body])));
    } else {
      // Unknown length: read up to one part; small bodies go in one request.
      const parts = chunksOf(body);
      const first = await parts.next();
      const second = first.done ? undefined : await parts.next();
      if (first.done) await this.#putOne(key, Buffer.alloc(0), 0, contentType);
      else if (second!.done) await this.#putOne(key, first.value, first.value.length, contentType);
      else await this.#multipart(key, contentType, prepend([first.value, second!.value], parts));
    }
    return this.#statOrFail(key);
  }

  async putFile(key: string, file: string, opts: { contentType?: string } = {}): Promise<BlobInfo> {
    assertBlobKey(key);
    await this.ready();
    const contentType = opts.contentType ?? contentTypeForKey(key);
    const { size } = await statFile(file);
    if (size <= multipartThreshold) await this.#putOne(key, createReadStream(file), size, contentType);
    else await this.#multipart(key, contentType, chunksOf(createReadStream(file, { highWaterMark: 1024 * 1024 })));
    return this.#statOrFail(key);
  }

  async #putOne(key: string, body: Buffer | Readable, length: number, contentType: string) {
    try {
      await this.#client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: length, ContentType: contentType }));
    } catch (err) {
      throw describe(err, `writing ${key}`);
    }
  }

  /** Uploads parts one at a time (memory stays at one part); aborts on any failure so no parts linger. */
  async #multipart(key: string, contentType: string, parts: AsyncIterator<Buffer>) {
    const { UploadId } = await this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }));
    const done: { ETag: string; PartNumber: number }[] = [];
    try {
      for (let next = await parts.next(); !next.done; next = await parts.next()) {
        const PartNumber = done.length + 1;
        const r = await this.#client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId, PartNumber, Body: next.value, ContentLength: next.value.length }),
        );
        done.push({ ETag: r.ETag!, PartNumber });
      }
      await this.#client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId, MultipartUpload: { Parts: done } }));
    } catch (err) {
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId })).catch(() => {});
      throw describe(err, `writing ${key}`);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertBlobKey(key);
    await this.ready();
    try {
      const r = await this.#client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      return r.Body as Readable;
    } catch (err) {
      throw missingOr(err, key);
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    assertBlobKey(key);
    await this.ready();
    try {
      const r = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (err) {
      throw missingOr(err, key);
    }
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    assertBlobKey(key);
    await this.ready();
    try {
      const r = await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: r.ContentLength ?? 0, etag: r.ETag ?? '""', modifiedAt: r.LastModified?.getTime() ?? 0, contentType: r.ContentType };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw describe(err, `reading ${key}`);
    }
  }

  async #statOrFail(key: string): Promise<BlobInfo> {
    const info = await this.stat(key);
    if (!info) throw new Error(`S3 bucket ${this.bucket}: ${key} is missing right after it was written`);
    return info;
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.ready();
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (statusOf(err) !== 404) throw describe(err, `deleting ${key}`);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    await this.ready();
    let n = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const r = await this.#client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      const failed = (r.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length)
        throw new Error(`S3 bucket ${this.bucket}: could not delete ${failed.length} objects under ${prefix} (${failed[0]!.Code}: ${failed[0]!.Message})`);
      n += batch.length;
      batch = [];
    };
    // Collect keys first: deleting while paginating may skip keys on some servers.
    const keys: string[] = [];
    for await (const b of this.list(prefix)) keys.push(b.key);
    for (const key of keys) {
      batch.push(key);
      if (batch.length === 1000) await flush();
    }
    await flush();
    return n;
  }

  async *list(prefix = ''): AsyncIterable<BlobInfo> {
    await this.ready();
    let ContinuationToken: string | undefined;
    do {
      const r = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken, MaxKeys: this.#listPageSize }),
      );
      for (const o of r.Contents ?? []) {
        yield { key: o.Key!, size: o.Size ?? 0, etag: o.ETag ?? '""', modifiedAt: o.LastModified?.getTime() ?? 0 };
      }
      ContinuationToken = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async presignGet(key: string, seconds: number, opts: { contentType?: string; cacheControl?: string } = {}): Promise<string> {
    assertBlobKey(key);
    await this.ready();
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseContentType: opts.contentType, ResponseCacheControl: opts.cacheControl });
    return getSignedUrl(this.#client, command, { expiresIn: Math.max(1, Math.floor(seconds)) });
  }

  /** Removes every object and then the bucket itself (closing a realm; test clean-up). */
  async destroyBucket(): Promise<void> {
    await this.deletePrefix('');
    try {
      await this.#client.send(new DeleteBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if (statusOf(err) !== 404) throw describe(err, `deleting bucket ${this.bucket}`);
    }
    this.#ready = undefined;
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function describe(err: unknown, what: string): Error {
  const e = err as Error & { Code?: string };
  return new Error(`S3 ${what}: ${e.name}${statusOf(err) ? ` (HTTP ${statusOf(err)})` : ''}: ${e.message}`, { cause: err });
}

/** Missing keys raise the same ENOENT-coded error as the local driver. */
function missingOr(err: unknown, key: string): Error {
  if (statusOf(err) === 404 || (err as Error).name === 'NoSuchKey') return Object.assign(new Error(`no blob ${key}`), { code: 'ENOENT' });
  if (statusOf(err) === 416) return Object.assign(new Error(`range not satisfiable for ${key}`), { code: 'ERANGE' });
  return describe(err, `reading ${key}`);
}

/** Re-chunks a stream into buffers of exactly `partSize` bytes (the last one shorter). */
async function* chunksOf(stream: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    while (length + buf.length >= partSize) {
      const take = partSize - length;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending);
      buf = buf.subarray(take);
      pending = [];
      length = 0;
    }
    if (buf.length) {
      pending.push(buf);
      length += buf.length;
    }
  }
  if (length) yield Buffer.concat(pending);
}

async function* prepend<T>(first: T[], rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield* first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}
