import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { edgeSecret } from '../../src/media-serving/grants.ts';
import { setPublicMediaCheck } from '../../src/media-serving/access.ts';
import { signedMediaUrl } from '../../src/media-serving/media-links.ts';
import { startReelm, type TestReelm } from '../helpers/lanes.ts';
import { STRONG_PASSWORD } from '../helpers/users.ts';
import { freePort, nginxBinary, startNginx, type RunningNginx } from '../helpers/nginx.ts';
import { missingLane } from '../helpers/missing-lane.ts';
import { videoPrefix } from '../../src/media/keys.ts';

// The shipped deploy/nginx/reelm.conf in front of a real Reelm (delivery mode
// x-accel): Node checks access, nginx sends the bytes with correct HTTP.

const body = randomBytes(300_000);
// keys in the layout the pipeline writes (src/media/keys.ts)
const OWNER = '01hzzzzzzzzzzzzzzzzzzzzzzz';
const PRIVATE = `${videoPrefix(OWNER, 'v1')}720p.mp4`;
const PUBLIC = `${videoPrefix(OWNER, 'v2')}poster.jpg`;

describe('nginx with the shipped config (x-accel delivery)', { skip: missingLane(!nginxBinary(), 'nginx is not installed (apt-get install nginx)') }, () => {
  let t: TestReelm;
  let nginx: RunningNginx;
  let base: string;
  let nodeAsked = 0;

  before(async () => {
    t = await startReelm('sqlite', { config: { delivery: { mode: 'x-accel', publicDecisionSeconds: 1 } } });
    await t.reelm.realms.get('us').blobs.put(PRIVATE, body);
    await t.reelm.realms.get('us').blobs.put(PUBLIC, Buffer.from('poster'));
    setPublicMediaCheck(t.reelm, (_realm, key) => key === PUBLIC);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const upstreamPort = (t.app.server.address() as { port: number }).port;
    nginx = await startNginx({ upstreamPort, dataDir: t.dataDir, port: await freePort(), edgeSecret: edgeSecret(t.reelm.secret) });
    t.app.server.on('request', () => nodeAsked++);
    base = `http://127.0.0.1:${nginx.port}`;
  });
  after(async () => {
    await nginx?.stop();
    await t?.close();
  });

  const grant = (opts = {}) => base + signedMediaUrl(t.reelm, 'us', PRIVATE, opts).url;

  test('the edge keeps /metrics internal and sends HSTS; Node still serves metrics to the scraper', async () => {
    const edge = await fetch(`${base}/metrics`);
    assert.equal(edge.status, 404);
    await edge.arrayBuffer();
    const direct = await fetch(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/metrics`);
    assert.equal(direct.status, 200);
    await direct.arrayBuffer();
    const api = await fetch(`${base}/healthz`);
    assert.match(api.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    await api.arrayBuffer();
  });

  test('a granted fetch gets the bytes from nginx with the type and caching Node chose', async () => {
    const res = await fetch(grant());
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), body);
    assert.equal(res.headers.get('content-type'), 'video/mp4');
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.ok(res.headers.get('etag'));
    assert.ok(res.headers.get('last-modified'));
    assert.equal(res.headers.get('x-accel-redirect'), null, 'the internal path is not revealed');
  });

  test('Range and 304 are answered by nginx', async () => {
    const url = grant();
    const part = await fetch(url, { headers: { range: 'bytes=1000-1999' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${body.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), body.subarray(1000, 2000));
    const etag = (await fetch(url, { method: 'HEAD' })).headers.get('etag')!;
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const bad = await fetch(url, { headers: { range: `bytes=${body.length}-` } });
    assert.equal(bad.status, 416);
    await bad.arrayBuffer();
  });

  test('without a valid grant nginx sends nothing: 404 for none, 403 for expired or forged', async () => {
    const none = await fetch(`${base}/media/us/${PRIVATE}`);
    assert.equal(none.status, 404);
    assert.equal(((await none.json()) as any).error.code, 'not_found');
    const expired = await fetch(grant({ nowSeconds: Math.floor(Date.now() / 1000) - 1000 }));
    assert.equal(expired.status, 403);
    assert.equal(((await expired.json()) as any).error.code, 'grant_expired');
    const forged = new URL(grant());
    forged.searchParams.set('g', 'A'.repeat(43));
    forged.searchParams.set('s', 'A'.repeat(22)); // both signatures forged
    const f = await fetch(forged);
    assert.equal(f.status, 403);
    assert.equal(((await f.json()) as any).error.code, 'grant_invalid');
  });

  test('the internal blob location cannot be reached by a client URL', async () => {
    for (const path of [`/_reelm_blobs/us/${PRIVATE}`, `/_reelm_blobs/us/../us/${PRIVATE}`]) {
      const res = await fetch(base + path);
      const got = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 404, path);
      assert.ok(!got.includes(body.subarray(0, 32)), path);
    }
  });

  test('public media through nginx is cacheable as immutable', async () => {
    const res = await fetch(`${base}/media/us/${PUBLIC}`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'poster');
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=\d+, immutable$/);
  });

  test('nginx reuses an allowed decision for as long as Node says, and never a refusal', async () => {
    const key = `${videoPrefix(OWNER, 'v3')}540p.mp4`;
    await t.reelm.realms.get('us').blobs.put(key, Buffer.from('rendition'));
    let asked = 0;
    let open = false;
    setPublicMediaCheck(t.reelm, (_realm, k) => {
      if (k !== key) return k === PUBLIC;
      asked++;
      return open;
    });
    const url = `${base}/media/us/${key}`;
    // a refusal is not reused: opening the video takes effect at once
    assert.equal((await fetch(url)).status, 404);
    open = true;
    for (let i = 0; i < 5; i++) assert.equal((await fetch(url)).status, 200);
    assert.equal(asked, 3, 'the refusal, its JSON answer, then one allowed decision reused for the next four fetches');
    // closing it again takes effect once the decision’s lifetime (1 s here, 10 s by default) has passed
    open = false;
    await new Promise((r) => setTimeout(r, 2200)); // nginx keeps whole seconds: up to 2 s for "1 s"
    const closed = await fetch(url);
    assert.equal(closed.status, 404);
    assert.equal(((await closed.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  test('nginx serves a grant it can check itself without asking Node; an expired one goes to Node and is refused', async () => {
    const before = nodeAsked;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(grant());
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), body);
      assert.equal(res.headers.get('cache-control'), 'private, no-store');
    }
    assert.equal(nodeAsked, before, 'Node was not asked');
    const expired = await fetch(grant({ nowSeconds: Math.floor(Date.now() / 1000) - 1000 }));
    assert.equal(expired.status, 403);
    assert.equal(((await expired.json()) as { error: { code: string } }).error.code, 'grant_expired');
    assert.ok(nodeAsked > before);
  });

  test('a viewer-bound link is served by nginx alone to its viewer; copied to another person it is refused', async () => {
    // two people signed in through the edge with browser sessions (session and media cookies)
    const signIn = async (country: string) => {
      const handle = `v${randomBytes(5).toString('hex')}`;
      const res = await fetch(`${base}/api/v1/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ handle, email: `${handle}@example.com`, password: STRONG_PASSWORD, birthDate: '1990-01-01', country, session: 'cookie' }),
      });
      assert.equal(res.status, 201);
      const userId = ((await res.json()) as { user: { id: string } }).user.id;
      const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
      assert.ok(
        cookies.some((c) => c.startsWith('reelm_media=')),
        'a browser session also gets the media cookie',
      );
      return { userId, cookie: cookies.join('; ') };
    };
    const viewer = await signIn('US');
    const other = await signIn('US');
    const link = grant({ viewer: viewer.userId });
    const before = nodeAsked;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(link, { headers: { cookie: viewer.cookie } });
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), body);
      assert.equal(res.headers.get('cache-control'), 'private, no-store');
    }
    assert.equal(nodeAsked, before, 'Node was not asked');
    // the same link with another person's cookies, or with none: nginx cannot match it, Node refuses it
    for (const headers of [{ cookie: other.cookie }, {}]) {
      const res = await fetch(link, { headers });
      const got = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 403);
      assert.equal(JSON.parse(got.toString()).error.code, 'grant_invalid');
      assert.ok(!got.includes(body.subarray(0, 32)));
    }
    // another person's media cookie with the viewer's session cookie does not pass nginx's check either
    const mixed = [viewer.cookie.split('; ').find((c) => c.startsWith('reelm_session='))!, other.cookie.split('; ').find((c) => c.startsWith('reelm_media='))!];
    const askedBefore = nodeAsked;
    const res = await fetch(link, { headers: { cookie: mixed.join('; ') } });
    assert.equal(res.status, 200, 'Node still lets the viewer have it, deciding from the session');
    await res.arrayBuffer();
    assert.ok(nodeAsked > askedBefore, 'nginx asked Node');
  });
});

test('`reelm edge-secret` prints the secret nginx checks grants with', async () => {
  const { spawnSync } = await import('node:child_process');
  const secret = randomBytes(32).toString('hex');
  const r = spawnSync(process.execPath, ['src/main.ts', 'edge-secret'], { env: { ...process.env, REELM_SECRET: secret }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), edgeSecret(secret));
});
