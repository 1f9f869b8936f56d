import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { startReelm, type TestReelm } from '../helpers/lanes.ts';

// The web app's static serving: hashed assets cached for good, index.html
// revalidated, client routes fall back to the app, and the server's own
// prefixes keep their JSON answers.

const dist = mkdtempSync(join(tmpdir(), 'reelm-dist-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');
writeFileSync(join(dist, 'assets', 'index-abc123.js.gz'), gzipSync('console.log("app")'));
writeFileSync(join(dist, 'manifest.webmanifest'), '{}');
let t: TestReelm;
before(async () => {
  process.env.REELM_WEB_DIR = dist;
  t = await startReelm('sqlite');
});
after(async () => {
  delete process.env.REELM_WEB_DIR;
  await t.close();
});

test('the app shell is served at / and for client routes, revalidated each time', async () => {
  for (const url of ['/', '/watch/abc', '/@someone', '/settings', '/tag/beach']) {
    const r = await t.app.inject({ url });
    assert.equal(r.statusCode, 200, url);
    assert.match(r.headers['content-type'] as string, /text\/html/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.match(r.body, /id="root"/);
  }
  const etag = (await t.app.inject({ url: '/' })).headers.etag as string;
  assert.equal((await t.app.inject({ url: '/', headers: { 'if-none-match': etag } })).statusCode, 304);
});

test('hashed assets are immutable and sent gzipped to browsers that accept it', async () => {
  const r = await t.app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.match(r.headers['content-type'] as string, /text\/javascript/);
  const plain = await t.app.inject({ url: '/assets/index-abc123.js' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body, 'console.log("app")');
  assert.equal((await t.app.inject({ url: '/manifest.webmanifest' })).headers['content-type'], 'application/manifest+json');
});

test('a missing asset is a 404, not the app; paths cannot climb out of the build', async () => {
  assert.equal((await t.app.inject({ url: '/assets/index-old999.js' })).statusCode, 404);
  const climb = await t.app.inject({ url: '/..%2f..%2fpackage.json' });
  assert.ok(climb.statusCode === 404 || !/"name": "reelm"/.test(climb.body), climb.body.slice(0, 100));
});

test('the server prefixes are never shadowed by the app', async () => {
  for (const url of ['/api/v1/nope', '/api', '/media/us/nothing', '/v/abc', '/healthz/x', '/flows/x', '/metricsx/../metrics/x']) {
    const r = await t.app.inject({ url });
    assert.doesNotMatch(r.body, /id="root"/, url);
  }
  assert.equal((await t.app.inject({ url: '/api/v1/nope' })).json().error.code, 'not_found');
  assert.equal((await t.app.inject({ url: '/healthz' })).statusCode, 200);
  assert.match((await t.app.inject({ url: '/api/openapi.json' })).headers['content-type'] as string, /json/);
});
