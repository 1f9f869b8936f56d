import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { workDirOf } from '../../src/media/pipeline.ts';
import { blobKeys, count, filesUnder, multipart } from '../media/helpers.ts';

// The daily upload allowance holds on the bytes that arrive: a chunked multipart body
// (no Content-Length, so nothing declared at creation) is stopped once it passes what is
// left, with 413 upload_quota_exceeded, and nothing of it is kept.

for (const lane of lanes()) {
  describe(`upload quota on bytes received [${lane}]`, () => {
    it('a chunked multipart upload over the allowance is stopped with 413 and leaves nothing', async (t) => {
      const r = await startReelm(lane, { config: { media: { bytesPerDay: 200_000 } } });
      t.after(() => r.close());
      const u = await signUp(r);
      const store = r.reelm.realms.get(u.realm);
      const m = multipart(Buffer.alloc(600_000, 7), 'big.mp4');
      // streamed in 16 KiB chunks: the request carries no Content-Length
      const chunks = Array.from({ length: Math.ceil(m.payload.length / 16384) }, (_, i) => m.payload.subarray(i * 16384, (i + 1) * 16384));
      const res = await r.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { ...u.headers, ...m.headers }, payload: Readable.from(chunks) });
      assert.equal(res.statusCode, 413, res.body);
      assert.equal(res.json().error.code, 'upload_quota_exceeded');
      assert.equal(await count(store, 'uploads', ['owner_id', u.userId]), 0, 'no upload row kept');
      assert.deepEqual(await blobKeys(store, `users/${u.userId}/`), [], 'no bytes in the realm’s blobs');
      assert.deepEqual(filesUnder(join(workDirOf(store), 'incoming')), [], 'no partial file left');
      // under the allowance the same path still works up to validation (not a video: 422, refused by content)
      const small = multipart(Buffer.from('not a video, but small'), 'small.mp4');
      const ok = await r.app.inject({
        method: 'POST',
        url: '/api/v1/uploads',
        headers: { ...u.headers, ...small.headers },
        payload: Readable.from([small.payload]),
      });
      assert.equal(ok.statusCode, 422, ok.body);
    });
  });
}
