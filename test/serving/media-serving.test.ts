import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setPublicMediaCheck } from '../../src/media-serving/access.ts';
import { signedMediaUrl } from '../../src/media-serving/media-links.ts';
import { startReelm, type TestReelm } from '../helpers/lanes.ts';
import { s3LaneOn } from '../helpers/s3.ts';
import { signUp } from '../helpers/users.ts';
import { videoPrefix } from '../../src/media/keys.ts';

// GET /media/<realm>/<key>: who may fetch, and HTTP semantics players rely on.
// Runs with Node carrying the bytes from a local folder (embedded default) and,
// when an S3 server is configured, from an S3 bucket.

const body = randomBytes(200_000);
// keys in the layout the pipeline writes (src/media/keys.ts)
const OWNER = '01hzzzzzzzzzzzzzzzzzzzzzzz';
const PRIVATE = `${videoPrefix(OWNER, 'v1')}720p.mp4`;
const OTHER = `${videoPrefix(OWNER, 'v1')}540p.mp4`;
const PUBLIC = `${videoPrefix(OWNER, 'v2')}poster.jpg`;
const now = () => Math.floor(Date.now() / 1000);

const setups: { name: string; blobs: 'local' | 's3' }[] = [{ name: 'local folder', blobs: 'local' }];
if (s3LaneOn()) setups.push({ name: 'S3 bucket', blobs: 's3' });

for (const setup of setups) {
  describe(`media serving, direct delivery, ${setup.name}`, () => {
    let t: TestReelm;
    const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') => t.app.inject({ method, url, headers });
    const grantUrl = (key: string, opts = {}) => signedMediaUrl(t.reelm, 'us', key, opts).url;

    before(async () => {
      t = await startReelm('sqlite', { blobs: setup.blobs });
      const blobs = t.reelm.realms.get('us').blobs;
      await blobs.put(PRIVATE, body, { contentType: 'video/mp4' });
      await blobs.put(OTHER, Buffer.from('other rendition'), { contentType: 'video/mp4' });
      await blobs.put(PUBLIC, Buffer.from('poster bytes'), { contentType: 'image/jpeg' });
      setPublicMediaCheck(t.reelm, (realm, key) => realm === 'us' && key === PUBLIC);
    });
    after(() => t.close());

    test('a private blob without a grant answers exactly like a missing one', async () => {
      const priv = await get(`/media/us/${PRIVATE}`);
      const missing = await get(`/media/us/${videoPrefix(OWNER, 'none')}540p.mp4`);
      assert.equal(priv.statusCode, 404);
      assert.equal(priv.json().error.code, 'not_found');
      assert.equal(priv.body, missing.body);
      assert.ok(!priv.rawPayload.includes(body.subarray(0, 32)));
    });

    test('a granted HLS playlist signs every file it names, so private videos play over HLS', async () => {
      const dir = `${videoPrefix(OWNER, 'v9')}hls`;
      const blobs = t.reelm.realms.get('us').blobs;
      await blobs.put(`${dir}/master.m3u8`, Buffer.from('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000,RESOLUTION=540x960\n540p/index.m3u8\n'));
      await blobs.put(
        `${dir}/540p/index.m3u8`,
        Buffer.from('#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.0,\nseg_000.m4s\n#EXTINF:2.0,\nseg_001.m4s\n#EXT-X-ENDLIST\n'),
      );
      for (const f of ['init.mp4', 'seg_000.m4s', 'seg_001.m4s']) await blobs.put(`${dir}/540p/${f}`, Buffer.from(`bytes of ${f}`));

      const master = await get(grantUrl(`${dir}/master.m3u8`));
      assert.equal(master.statusCode, 200);
      assert.equal(master.headers['content-type'], 'application/vnd.apple.mpegurl');
      const rungUrl = master.body.split('\n').find((l) => l.includes('540p/index.m3u8'))!;
      assert.match(rungUrl, /^\/media\/us\/users\/.+\/540p\/index\.m3u8\?exp=\d+&g=/);
      const rung = await get(rungUrl);
      assert.equal(rung.statusCode, 200);
      const urls = [/URI="([^"]+)"/.exec(rung.body)![1]!, ...rung.body.split('\n').filter((l) => l.startsWith('/media/'))];
      assert.equal(urls.length, 3);
      for (const u of urls) {
        const res = await get(u);
        assert.equal(res.statusCode, 200, u);
        assert.match(res.body, /^bytes of (init\.mp4|seg_00[01]\.m4s)$/);
        assert.equal((await get(u.split('?')[0]!)).statusCode, 404, 'the same file without its grant');
      }
      assert.equal((await get(`/media/us/${dir}/master.m3u8`)).statusCode, 404);
    });

    test('a valid grant serves the bytes with type, validators and no-store caching', async () => {
      const url = grantUrl(PRIVATE);
      const res = await get(url);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.rawPayload, body);
      assert.equal(res.headers['content-type'], 'video/mp4');
      assert.equal(res.headers['content-length'], String(body.length));
      assert.equal(res.headers['accept-ranges'], 'bytes');
      assert.equal(res.headers['cache-control'], 'private, no-store');
      assert.match(String(res.headers.etag), /^"[^"]+"$/);
      assert.ok(!Number.isNaN(Date.parse(String(res.headers['last-modified']))));
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    });

    test('grants last five minutes by default', () => {
      const before = now();
      const { expiresAt } = signedMediaUrl(t.reelm, 'us', PRIVATE);
      assert.ok(expiresAt - before >= 299 && expiresAt - before <= 301);
    });

    test('an expired grant is refused with grant_expired', async () => {
      const url = grantUrl(PRIVATE, { nowSeconds: now() - 400, ttlSeconds: 300 });
      const res = await get(url);
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'grant_expired');
      assert.ok(!res.rawPayload.includes(body.subarray(0, 32)));
    });

    test('forged, altered or misapplied grants are refused with grant_invalid', async () => {
      const good = new URL(grantUrl(PRIVATE), 'http://x');
      const g = good.searchParams.get('g')!;
      const variants: string[] = [];
      const flip = new URL(good);
      flip.searchParams.set('g', (g[0] === 'A' ? 'B' : 'A') + g.slice(1));
      variants.push(flip.pathname + flip.search);
      const longer = new URL(good);
      longer.searchParams.set('exp', String(Number(good.searchParams.get('exp')) + 86400));
      variants.push(longer.pathname + longer.search);
      variants.push(`/media/us/${OTHER}${good.search}`, `/media/eu/${PRIVATE}${good.search}`);
      variants.push(`/media/us/${PRIVATE}?exp=${now() + 60}&g=${'A'.repeat(43)}`, `/media/us/${PRIVATE}?exp=${now() + 60}`, `/media/us/${PRIVATE}?g=${g}`);
      const withViewer = new URL(good);
      withViewer.searchParams.set('v', 'someone');
      variants.push(withViewer.pathname + withViewer.search);
      for (const url of variants) {
        const res = await get(url);
        assert.equal(res.statusCode, 403, url);
        assert.equal(res.json().error.code, 'grant_invalid', url);
      }
    });

    test('a grant bound to a viewer works only for that signed-in person', async () => {
      const alice = await signUp(t, { country: 'US' });
      const bob = await signUp(t, { country: 'US' });
      const url = grantUrl(PRIVATE, { viewer: alice.userId });
      assert.equal((await get(url, alice.headers)).statusCode, 200);
      const anon = await get(url);
      assert.equal(anon.statusCode, 403);
      assert.equal(anon.json().error.code, 'grant_invalid');
      assert.equal((await get(url, bob.headers)).statusCode, 403);
    });

    test('public media needs no grant and is cached as immutable; the public check is per key', async () => {
      const res = await get(`/media/us/${PUBLIC}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, 'poster bytes');
      assert.equal(res.headers['content-type'], 'image/jpeg');
      assert.match(String(res.headers['cache-control']), /^public, max-age=\d+, immutable$/);
      assert.equal((await get(`/media/us/${OTHER}`)).statusCode, 404);
    });

    test('Range: one range is served as 206 with Content-Range; open-ended, suffix and over-long ends work', async () => {
      const url = grantUrl(PRIVATE);
      const cases: [string, number, number][] = [
        ['bytes=0-99', 0, 99],
        ['bytes=100-', 100, body.length - 1],
        ['bytes=-10', body.length - 10, body.length - 1],
        ['bytes=199990-500000', 199_990, body.length - 1],
        ['bytes=0-0', 0, 0],
      ];
      for (const [range, start, end] of cases) {
        const res = await get(url, { range });
        assert.equal(res.statusCode, 206, range);
        assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${body.length}`, range);
        assert.equal(res.headers['content-length'], String(end - start + 1), range);
        assert.deepEqual(res.rawPayload, body.subarray(start, end + 1), range);
      }
    });

    test('Range: multiple, malformed or unsatisfiable ranges get 416 with Content-Range */size', async () => {
      const url = grantUrl(PRIVATE);
      for (const range of ['bytes=0-1,5-6', 'bytes=abc', 'bytes=-', `bytes=${body.length}-`, 'bytes=500-100', 'bytes=-0']) {
        const res = await get(url, { range });
        assert.equal(res.statusCode, 416, range);
        assert.equal(res.headers['content-range'], `bytes */${body.length}`, range);
        assert.equal(res.json().error.code, 'range_not_satisfiable');
      }
      const otherUnit = await get(url, { range: 'items=0-5' });
      assert.equal(otherUnit.statusCode, 200, 'an unknown range unit is ignored');
    });

    test('ETag and Last-Modified: 304 when the client copy is current, If-Range falls back to the whole file', async () => {
      const url = grantUrl(PRIVATE);
      const first = await get(url);
      const etag = String(first.headers.etag);
      const lm = String(first.headers['last-modified']);
      const hit = await get(url, { 'if-none-match': etag });
      assert.equal(hit.statusCode, 304);
      assert.equal(hit.rawPayload.length, 0);
      assert.equal(hit.headers.etag, etag);
      assert.equal(hit.headers['cache-control'], 'private, no-store');
      assert.equal((await get(url, { 'if-none-match': `"stale", W/${etag}` })).statusCode, 304);
      assert.equal((await get(url, { 'if-none-match': '"stale"' })).statusCode, 200);
      assert.equal((await get(url, { 'if-modified-since': lm })).statusCode, 304);
      assert.equal((await get(url, { 'if-modified-since': new Date(Date.parse(lm) - 3600_000).toUTCString() })).statusCode, 200);
      assert.equal((await get(url, { range: 'bytes=0-9', 'if-range': etag })).statusCode, 206);
      const changed = await get(url, { range: 'bytes=0-9', 'if-range': '"stale"' });
      assert.equal(changed.statusCode, 200);
      assert.equal(changed.rawPayload.length, body.length);
    });

    test('HEAD gives the headers and length without the bytes', async () => {
      const res = await get(grantUrl(PRIVATE), {}, 'HEAD');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-length'], String(body.length));
      assert.equal(res.rawPayload.length, 0);
    });

    test('a granted key that does not exist is 404; an unknown realm or a traversal key is 404', async () => {
      const gone = `${videoPrefix(OWNER, 'v9')}720p.mp4`;
      assert.equal((await get(grantUrl(gone))).statusCode, 404);
      assert.equal((await get(`/media/mars/${PRIVATE}`)).statusCode, 404);
      assert.equal((await get('/media/us/users/%2e%2e/%2e%2e/secret.key')).statusCode, 404);
    });
  });
}

describe('media serving, x-accel delivery (Node checks, nginx sends)', () => {
  let t: TestReelm;
  before(async () => {
    t = await startReelm('sqlite', { config: { delivery: { mode: 'x-accel' } } });
    await t.reelm.realms.get('us').blobs.put(PRIVATE, body);
  });
  after(() => t.close());

  test('a granted request is answered with an internal redirect and no bytes', async () => {
    const res = await t.app.inject({ url: signedMediaUrl(t.reelm, 'us', PRIVATE).url });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-accel-redirect'], `/_reelm_blobs/us/${PRIVATE}`);
    assert.equal(res.headers['cache-control'], 'private, no-store');
    assert.equal(res.headers['content-type'], 'video/mp4');
    assert.equal(res.rawPayload.length, 0);
  });

  test('no grant, or a bad one, never yields an internal redirect', async () => {
    for (const url of [
      `/media/us/${PRIVATE}`,
      `/media/us/${PRIVATE}?exp=${now() + 60}&g=${'A'.repeat(43)}`,
      signedMediaUrl(t.reelm, 'us', PRIVATE, { nowSeconds: now() - 1000 }).url,
    ]) {
      const res = await t.app.inject({ url });
      assert.ok(res.statusCode === 404 || res.statusCode === 403, url);
      assert.equal(res.headers['x-accel-redirect'], undefined);
    }
  });
});

describe('media serving on S3, redirect delivery (presigned URLs)', { skip: !s3LaneOn() && 'REELM_TEST_S3_ENDPOINT is not set (the S3 lane)' }, () => {
  let t: TestReelm;
  before(async () => {
    t = await startReelm('sqlite', { blobs: 's3', config: { delivery: { mode: 'redirect' } } });
    await t.reelm.realms.get('us').blobs.put(PRIVATE, body, { contentType: 'video/mp4' });
  });
  after(() => t.close());

  test('a grant becomes a presigned URL that serves the bytes and ranges, and expires with the grant', async () => {
    const res = await t.app.inject({ url: signedMediaUrl(t.reelm, 'us', PRIVATE, { ttlSeconds: 5 }).url });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers['cache-control'], 'private, no-store');
    const location = String(res.headers.location);
    assert.match(location, /X-Amz-Signature=/);
    const full = await fetch(location);
    assert.equal(full.status, 200);
    assert.deepEqual(Buffer.from(await full.arrayBuffer()), body);
    const part = await fetch(location, { headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 10-19/${body.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), body.subarray(10, 20));
    await new Promise((r) => setTimeout(r, 6100));
    const late = await fetch(location);
    assert.equal(late.status, 403, 'the presigned URL dies with the grant');
    await late.arrayBuffer();
  });

  test('without a grant there is no redirect, and the bucket refuses unsigned reads', async () => {
    const res = await t.app.inject({ url: `/media/us/${PRIVATE}` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers.location, undefined);
    const signed = new URL(String((await t.app.inject({ url: signedMediaUrl(t.reelm, 'us', PRIVATE).url })).headers.location));
    const unsigned = await fetch(`${signed.origin}${signed.pathname}`);
    const text = await unsigned.text();
    assert.ok(unsigned.status >= 400 && unsigned.status < 500, `unsigned read answered ${unsigned.status}`);
    assert.ok(!text.includes(body.subarray(0, 16).toString('latin1')));
  });

  test('expired or forged grants are refused before any URL is presigned', async () => {
    const expired = await t.app.inject({ url: signedMediaUrl(t.reelm, 'us', PRIVATE, { nowSeconds: now() - 1000 }).url });
    assert.equal(expired.statusCode, 403);
    assert.equal(expired.json().error.code, 'grant_expired');
    assert.equal(expired.headers.location, undefined);
    const forged = await t.app.inject({ url: `/media/us/${PRIVATE}?exp=${now() + 60}&g=${'B'.repeat(43)}` });
    assert.equal(forged.statusCode, 403);
    assert.equal(forged.json().error.code, 'grant_invalid');
  });
});
