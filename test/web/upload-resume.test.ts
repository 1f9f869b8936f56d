import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ff } from '../media/corpus.ts';
import { e2eSuite, notAVideo, PHONE, pickAndUpload, shot, signUpUi, tmp } from './browser.ts';

// The studio survives a network drop and a reload (tus resumes from the
// server's offset), and a file that is not a video is refused in a sentence.

const { skip, env } = e2eSuite();

test('an upload cut off mid-way resumes after a reload, from where the server stopped', { skip, timeout: 240_000 }, async () => {
  const o = env.server.origin;
  const dir = tmp();
  // noise does not compress: several MB for 2 s, so the upload takes several 256 KB chunks
  const clip = join(dir, 'noise.mp4');
  ff([
    '-f',
    'lavfi',
    '-i',
    'nullsrc=s=320x568:r=12:d=2,geq=random(1)*255:128:128',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-qp',
    '10',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);
  const size = statSync(clip).size;
  assert.ok(size > 1024 * 1024, `clip is ${size} bytes`);
  const ctx = await env.browser.newContext({ viewport: PHONE, locale: 'en-US' });
  const page = await ctx.newPage();
  await signUpUi(page, o, { handle: 'resumer', country: 'DE' });
  await page.goto(`${o}/upload`);

  // the network drops after two chunks
  let patches = 0;
  await page.route('**/api/v1/uploads/tus/**', (route) => {
    if (route.request().method() === 'PATCH' && ++patches > 2) return route.abort('internetdisconnected');
    return route.continue();
  });
  await pickAndUpload(page, clip);
  await page.getByTestId('upload-error').waitFor({ timeout: 30_000 });
  await shot(page, 'upload-dropped');
  await page.unroute('**/api/v1/uploads/tus/**');

  // a reload; the same file picked again continues instead of starting over
  await page.reload();
  const offsets: number[] = [];
  page.on('request', (r) => {
    if (r.method() === 'PATCH' && r.url().includes('/uploads/tus/')) offsets.push(Number(r.headers()['upload-offset']));
  });
  await pickAndUpload(page, clip);
  const resumed = (await page.getByTestId('resumed').textContent({ timeout: 10_000 }))!;
  const pct = Number(/(\d+)%/.exec(resumed)![1]);
  const kept = 2 * 256 * 1024; // the two chunks the server acknowledged before the drop
  assert.equal(pct, Math.floor((kept / size) * 100), `resumed where the server stopped (${resumed})`);
  await page.getByTestId('processing').or(page.getByTestId('posted')).first().waitFor({ timeout: 60_000 });
  assert.equal(offsets[0], kept, 'after the reload the first chunk continues at the server offset');
  assert.equal(offsets.length, Math.ceil((size - kept) / (256 * 1024)), 'only the rest was sent');
  await page.getByTestId('posted').waitFor({ timeout: 180_000 });
});

test('a file that is not a video is refused with its reason, and retry starts over', { skip, timeout: 120_000 }, async () => {
  const o = env.server.origin;
  const ctx = await env.browser.newContext({ viewport: PHONE, locale: 'en-US' });
  const page = await ctx.newPage();
  await signUpUi(page, o, { handle: 'badfile', country: 'US' });
  await page.goto(`${o}/upload`);
  await pickAndUpload(page, notAVideo(tmp()));
  const reason = (await page.getByTestId('upload-error').textContent({ timeout: 60_000 }))!;
  await shot(page, 'upload-refused');
  assert.match(reason, /^[A-Z].{15,}[.!]$/, `a sentence: ${reason}`);
  assert.doesNotMatch(reason, /^[a-z_]+$|undefined|\[object/);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByTestId('file').waitFor();
});
