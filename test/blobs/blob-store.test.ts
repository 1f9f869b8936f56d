import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { isBlobMissing, type BlobStore } from '../../src/blobs/blob-store.ts';
import { LocalBlobStore } from '../../src/blobs/local-store.ts';
import { S3BlobStore, partSize } from '../../src/blobs/s3-store.ts';
import { s3LaneOn, s3TestConfig, testBucketName } from '../helpers/s3.ts';

// One contract, every driver: the local folder always, S3 (a real Swift s3api
// server) when REELM_TEST_S3_ENDPOINT is set.

interface Driver {
  name: string;
  open(): BlobStore;
  cleanup(store: BlobStore): Promise<void>;
}

const dirs: string[] = [];
const drivers: Driver[] = [
  {
    name: 'local',
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'reelm-blobs-'));
      dirs.push(dir);
      return new LocalBlobStore(dir);
    },
    async cleanup() {},
  },
];
if (s3LaneOn()) {
  drivers.push({
    name: 's3',
    // A small list page so that pagination is exercised on a handful of keys.
    open: () => new S3BlobStore(s3TestConfig(testBucketName('contract')), { listPageSize: 2 }),
    async cleanup(store) {
      await (store as S3BlobStore).destroyBucket();
      await store.close?.();
    },
  });
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

for (const driver of drivers) {
  describe(`blob store contract: ${driver.name}`, () => {
    let store: BlobStore;
    before(() => {
      store = driver.open();
    });
    after(() => driver.cleanup(store));

    test('a buffer put is read back whole, by range and by stat', async () => {
      const body = randomBytes(100_000);
      const info = await store.put('users/u1/videos/v1/720.mp4', body);
      assert.equal(info.size, body.length);
      assert.match(info.etag, /^"[^"]+"$/);
      assert.deepEqual(await store.getBuffer('users/u1/videos/v1/720.mp4'), body);
      assert.deepEqual(await readAll(await store.get('users/u1/videos/v1/720.mp4')), body);
      assert.deepEqual(await readAll(await store.get('users/u1/videos/v1/720.mp4', { start: 0, end: 0 })), body.subarray(0, 1));
      assert.deepEqual(await readAll(await store.get('users/u1/videos/v1/720.mp4', { start: 1000, end: 54_321 })), body.subarray(1000, 54_322));
      assert.deepEqual(await readAll(await store.get('users/u1/videos/v1/720.mp4', { start: 99_999, end: 99_999 })), body.subarray(99_999));
      const st = await store.stat('users/u1/videos/v1/720.mp4');
      assert.equal(st?.size, body.length);
      assert.equal(st?.etag, info.etag);
      assert.ok(Math.abs(st!.modifiedAt - Date.now()) < 5 * 60_000, 'modifiedAt is the write time');
    });

    test('an overwrite replaces the content and changes the ETag', async () => {
      const a = await store.put('users/u1/over.txt', Buffer.from('first version'));
      const b = await store.put('users/u1/over.txt', Buffer.from('the second, longer version'));
      assert.notEqual(a.etag, b.etag);
      assert.equal((await store.getBuffer('users/u1/over.txt')).toString(), 'the second, longer version');
    });

    test('a stream of unknown length is stored exactly, including one larger than a multipart part', async () => {
      const small = [Buffer.from('abc'), Buffer.from('defgh'), Buffer.alloc(0), Buffer.from('i')];
      await store.put('users/u2/small.bin', Readable.from(small));
      assert.equal((await store.getBuffer('users/u2/small.bin')).toString(), 'abcdefghi');

      const big = randomBytes(partSize + 1234567);
      const pieces = [];
      for (let i = 0; i < big.length; i += 777_777) pieces.push(big.subarray(i, i + 777_777));
      const info = await store.put('users/u2/big.bin', Readable.from(pieces));
      assert.equal(info.size, big.length);
      assert.equal(sha(await store.getBuffer('users/u2/big.bin')), sha(big));
      const tail = await readAll(await store.get('users/u2/big.bin', { start: big.length - 10, end: big.length - 1 }));
      assert.deepEqual(tail, big.subarray(big.length - 10));
    });

    test('an empty body is a blob of size 0', async () => {
      const info = await store.put('users/u2/empty', Buffer.alloc(0));
      assert.equal(info.size, 0);
      assert.equal((await store.getBuffer('users/u2/empty')).length, 0);
    });

    test('putFile copies a local file in and keeps the content type', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'reelm-putfile-'));
      dirs.push(dir);
      const file = join(dir, 'poster.jpg');
      const body = randomBytes(50_000);
      writeFileSync(file, body);
      const info = await store.putFile('users/u3/poster.jpg', file, { contentType: 'image/jpeg' });
      assert.equal(info.size, body.length);
      assert.deepEqual(await store.getBuffer('users/u3/poster.jpg'), body);
      if (store.kind === 's3') assert.equal(info.contentType, 'image/jpeg');
    });

    test('a stream that fails midway stores nothing and keeps the previous version', async () => {
      await store.put('users/u4/keep.bin', Buffer.from('precious'));
      const failing = new Readable({
        read() {
          this.push(randomBytes(64 * 1024));
          setImmediate(() => this.destroy(new Error('client went away')));
        },
      });
      await assert.rejects(store.put('users/u4/keep.bin', failing));
      assert.equal((await store.getBuffer('users/u4/keep.bin')).toString(), 'precious');
      const failingNew = new Readable({
        read() {
          this.push(randomBytes(1024));
          setImmediate(() => this.destroy(new Error('client went away')));
        },
      });
      await assert.rejects(store.put('users/u4/never.bin', failingNew));
      assert.equal(await store.stat('users/u4/never.bin'), undefined);
      const keys = [];
      for await (const b of store.list('users/u4/')) keys.push(b.key);
      assert.deepEqual(keys, ['users/u4/keep.bin'], 'no temp or partial object is visible');
    });

    test('missing keys: stat is undefined, reads raise a recognisable error, delete is a no-op', async () => {
      assert.equal(await store.stat('users/nobody/x.mp4'), undefined);
      await assert.rejects(store.get('users/nobody/x.mp4'), (err) => isBlobMissing(err));
      await assert.rejects(store.getBuffer('users/nobody/x.mp4'), (err) => isBlobMissing(err));
      await store.delete('users/nobody/x.mp4');
    });

    test('keys that could escape the store are refused', async () => {
      for (const key of ['../x', 'users/../../etc/passwd', 'users//x', '/abs', 'users/a b', 'users/./x', '']) {
        await assert.rejects(store.put(key, Buffer.from('x')), /invalid blob key/, key);
      }
    });

    test('list walks every page, only under the prefix; deletePrefix removes exactly those keys', async () => {
      const mine = ['users/p1/a.mp4', 'users/p1/b/c.jpg', 'users/p1/b/d.m3u8', 'users/p1/e.json', 'users/p1/f'];
      const others = ['users/p10/x.mp4', 'users/p2/y.mp4', 'realm/z.json'];
      for (const k of [...mine, ...others]) await store.put(k, Buffer.from(k));
      const listed = [];
      for await (const b of store.list('users/p1/')) {
        listed.push(b.key);
        assert.equal(b.size, Buffer.byteLength(b.key));
      }
      assert.deepEqual(listed.sort(), [...mine].sort());
      const all = [];
      for await (const b of store.list()) all.push(b.key);
      for (const k of [...mine, ...others]) assert.ok(all.includes(k), `${k} is listed without a prefix`);

      assert.equal(await store.deletePrefix('users/p1/'), mine.length);
      for (const k of mine) assert.equal(await store.stat(k), undefined, k);
      for (const k of others) assert.ok(await store.stat(k), `${k} survives`);
      assert.equal(await store.deletePrefix('users/p1/'), 0);
    });

    test('delete removes one key', async () => {
      await store.put('users/d/x.txt', Buffer.from('x'));
      await store.delete('users/d/x.txt');
      assert.equal(await store.stat('users/d/x.txt'), undefined);
    });
  });
}

describe('S3 bucket privacy and presigned URLs', { skip: !s3LaneOn() && 'REELM_TEST_S3_ENDPOINT is not set (the S3 lane)' }, () => {
  let store: S3BlobStore;
  let bucket: string;
  before(async () => {
    bucket = testBucketName('privacy');
    store = new S3BlobStore(s3TestConfig(bucket));
    await store.put('users/u1/private.mp4', Buffer.from('0123456789'), { contentType: 'video/mp4' });
  });
  after(async () => {
    await store.destroyBucket();
    await store.close();
  });

  test('the bucket is created at first use', async () => {
    assert.ok(await store.stat('users/u1/private.mp4'));
  });

  test('a presigned URL serves the object, honours Range, and stops working after it expires', async () => {
    const url = await store.presignGet('users/u1/private.mp4', 2);
    const full = await fetch(url);
    assert.equal(full.status, 200);
    assert.equal(await full.text(), '0123456789');
    const part = await fetch(url, { headers: { range: 'bytes=2-4' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 2-4/10');
    assert.equal(await part.text(), '234');
    await new Promise((r) => setTimeout(r, 3100));
    const late = await fetch(url);
    assert.equal(late.status, 403, 'an expired presigned URL is refused');
    await late.arrayBuffer();
  });

  test('a tampered presigned URL is refused', async () => {
    const url = new URL(await store.presignGet('users/u1/private.mp4', 60));
    url.searchParams.set('X-Amz-Expires', '604800');
    const res = await fetch(url);
    assert.equal(res.status, 403);
    await res.arrayBuffer();
    const other = new URL(await store.presignGet('users/u1/private.mp4', 60));
    other.pathname = other.pathname.replace('private.mp4', 'other.mp4');
    const res2 = await fetch(other);
    assert.equal(res2.status, 403, 'a signature for one key does not open another');
    await res2.arrayBuffer();
  });

  test('the bucket is not public: an unsigned URL to the object is refused', async () => {
    const url = new URL(await store.presignGet('users/u1/private.mp4', 60));
    for (const direct of [`${url.origin}${url.pathname}`, `${url.origin}/${bucket}/users/u1/private.mp4`]) {
      const res = await fetch(direct);
      const body = await res.text();
      assert.ok(res.status >= 400 && res.status < 500, `unsigned GET answered ${res.status}`);
      assert.ok(!body.includes('0123456789'));
    }
  });

  test("another account's credentials cannot read or list the realm's objects", async () => {
    // On Swift each account has its own bucket namespace (on AWS the name is
    // global and the request is refused): either way the intruder sees nothing.
    const intruder = new S3BlobStore(s3TestConfig(bucket, 'other'));
    try {
      await assert.rejects(intruder.getBuffer('users/u1/private.mp4'));
      const seen: string[] = [];
      try {
        for await (const b of intruder.list('')) seen.push(b.key);
      } catch {
        // refused outright: also fine
      }
      assert.deepEqual(seen, []);
    } finally {
      await intruder.destroyBucket().catch(() => {});
      await intruder.close();
    }
  });
});
