import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeClip } from '../media/corpus.ts';
import { signUp } from '../helpers/users.ts';
import { e2eSuite, PHONE, pickAndUpload, postReady, readyVideo, shots, signUpUi, tmp } from './browser.ts';

// The studio beyond a plain upload, against the real pipeline: a sound found by
// search and used from its sound page, trimmed on the timeline, a caption
// written with hashtag and @mention suggestions, a duet from a video's menu,
// and pinning a comment on one's own video.

const { skip, env } = e2eSuite();

test('studio: use a sound (search, sound page), trim, caption suggestions, duet from the menu; pin a comment', { skip, timeout: 400_000 }, async () => {
  const o = env.server.origin;
  const inject = env.server.app.inject.bind(env.server.app);
  const solo = await signUp(env.server, { handle: 'solotune', country: 'US' });
  const src = await readyVideo(env.server, solo, { w: 240, h: 426, seconds: 3, freq: 523 }, { soundTitle: 'Solo tune' });
  const soloPost = await postReady(env.server, solo, src, { caption: 'Golden hour #sunset' });
  const soundId = (await inject({ url: `/api/v1/posts/${soloPost}` })).json().sound.id as string;
  assert.ok(soundId);

  const ctx = await env.browser.newContext({ viewport: PHONE, locale: 'en-US' });
  const page = await ctx.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e: Error) => pageErrors.push(e.message));
  await signUpUi(page, o, { handle: 'miaus', country: 'US' });
  const clip = makeClip(join(tmp(), 'mine.mp4'), { w: 240, h: 426, seconds: 3, freq: 330 });

  // sound search in the studio finds it
  await page.goto(`${o}/upload`);
  await page.getByRole('searchbox', { name: 'Search sounds' }).fill('Solo tune');
  await page.getByRole('searchbox', { name: 'Search sounds' }).press('Enter');
  await page.getByRole('button', { name: 'Use this sound' }).first().click();
  assert.match((await page.getByTestId('chosen-sound').textContent())!, /Solo tune/);

  // …and so does its sound page, from the video: "use this sound" opens the studio with it
  await page.goto(`${o}/watch/${soloPost}`);
  await page.getByRole('link', { name: /Solo tune/ }).click();
  await page.waitForURL(`${o}/sound/${soundId}`);
  await page.locator('.grid a').first().waitFor();
  await shots(page, 'sound-page');
  await page.getByRole('link', { name: 'Use this sound' }).click();
  await page.waitForURL(/\/upload\?sound=/);
  assert.match((await page.getByTestId('chosen-sound').textContent())!, /Solo tune/);

  // pick a file: preview and trim to 1.5 s
  await page.getByTestId('file').setInputFiles(clip);
  await page.getByLabel(/^End/).fill('1.5');
  assert.equal(await page.getByTestId('trim-length').textContent(), 'Keeps 1.5 s');
  // caption with suggestions: #sun → #sunset (Enter), @solot → @solotune (click)
  const caption = page.getByLabel('Caption');
  await caption.pressSequentially('Dancing to #sun', { delay: 20 });
  await page.getByRole('option', { name: /#sunset/ }).waitFor();
  await shots(page, 'studio-edit');
  await caption.press('Enter');
  await caption.pressSequentially('with @solot', { delay: 20 });
  await page.getByRole('option', { name: /@solotune/ }).click();
  assert.equal(await caption.inputValue(), 'Dancing to #sunset with @solotune ');
  // mix both, the original turned down to 20 %
  await page.getByLabel('With the video’s own audio').selectOption('mix');
  await page.getByTestId('mix-levels').getByLabel('Original sound').fill('20');
  await page.getByRole('button', { name: 'Upload and post' }).click();
  await page.getByTestId('posted').waitFor({ timeout: 180_000 });
  const mine = (await inject({ url: '/api/v1/users/miaus/videos' })).json().items[0];
  const stored = await env.server.reelm.realms.get('us').db.selectFrom('uploads').select('options').where('video_id', '=', mine.id).executeTakeFirstOrThrow();
  assert.deepEqual(
    JSON.parse(stored.options).sound,
    { id: soundId, realm: 'us', mode: 'mix', offset: 0, volume: 1, originalVolume: 0.2 },
    'the mix levels reach the pipeline',
  );
  assert.equal(mine.sound?.id, soundId, 'the new video uses the sound');
  assert.ok(Math.abs(mine.durationMs - 1500) <= 200, `trimmed to 1.5 s: ${mine.durationMs} ms`);
  assert.deepEqual(
    mine.entities.map((e: { type: string; tag?: string; handle?: string }) => e.tag ?? e.handle),
    ['sunset', 'solotune'],
  );

  // duet from the video's menu
  await page.goto(`${o}/watch/${soloPost}`);
  await page.getByRole('button', { name: 'More' }).click();
  await shots(page, 'video-menu');
  await page.getByRole('menuitem', { name: 'Duet' }).click();
  await page.waitForURL(/\/upload\?duet=/);
  assert.match((await page.getByTestId('duet-with').textContent())!, /Duet with @solotune/);
  await pickAndUpload(page, clip);
  await page.getByTestId('posted').waitFor({ timeout: 240_000 });
  const duetPost = (await inject({ url: '/api/v1/users/miaus/videos' })).json().items[0];
  const media = (await inject({ url: `/api/v1/videos/${duetPost.id}` })).json();
  assert.deepEqual(media.duetOf, { realm: 'us', videoId: soloPost });

  // a refused duet says why, in a sentence, where it was asked
  const closed = await postReady(env.server, solo, await readyVideo(env.server, solo), { caption: 'no duets', duetPolicy: 'no_one' });
  await page.goto(`${o}/upload?duet=${closed}&duetHandle=solotune&duetRealm=us`);
  await pickAndUpload(page, clip);
  assert.match((await page.getByTestId('upload-error').textContent({ timeout: 30_000 }))!, /duet/i);

  // pin a comment on one's own video
  const c = await inject({ method: 'POST', url: `/api/v1/posts/${mine.id}/comments`, headers: solo.headers, payload: { body: 'Nice moves!' } });
  assert.equal(c.statusCode, 201, c.body);
  await page.goto(`${o}/watch/${mine.id}`);
  await page.getByRole('button', { name: 'Comments' }).click();
  await page.getByText('Nice moves!').waitFor();
  await page.getByRole('button', { name: 'Pin', exact: true }).click();
  await page.getByRole('dialog').getByText('Pinned').waitFor();
  await shots(page, 'comment-pinned');
  const listed = (await inject({ url: `/api/v1/posts/${mine.id}/comments` })).json().items;
  assert.equal(listed[0].pinned, true);
  assert.deepEqual(pageErrors, []);
});
