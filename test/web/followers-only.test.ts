import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signUp } from '../helpers/users.ts';
import { e2eSuite, PHONE, postReady, readyVideo, signUpUi } from './browser.ts';

// A followers-only video stays out of every screen a stranger can open, and its
// media URL (even copied from someone allowed) does not play for them.

const { skip, env } = e2eSuite();

test('a followers-only video is shown to followers and to no stranger, on any screen or by URL', { skip, timeout: 240_000 }, async () => {
  const o = env.server.origin;
  const inject = env.server.app.inject.bind(env.server.app);
  const creator = await signUp(env.server, { handle: 'closecircle', country: 'US' });
  const fan = await signUp(env.server, { handle: 'closefan', country: 'US' });
  const videoId = await readyVideo(env.server, creator);
  const postId = await postReady(env.server, creator, videoId, { caption: 'Only for my circle #secretbeach', audience: 'followers' });
  assert.equal((await inject({ method: 'POST', url: '/api/v1/users/closecircle/follow', headers: fan.headers })).statusCode, 200);

  // positive control: the follower does get it, with a media URL that plays for them
  let fanFeed: any[] = [];
  for (let i = 0; i < 40 && !fanFeed.some((p) => p.id === postId); i++) {
    await new Promise((r) => setTimeout(r, 250));
    fanFeed = (await inject({ url: '/api/v1/feed/following', headers: fan.headers })).json().items;
  }
  const fanCopy = fanFeed.find((p) => p.id === postId);
  assert.ok(fanCopy?.playUrl, 'the follower sees it in Following, with a play URL');
  const fanPlay = await inject({ url: fanCopy.playUrl, headers: fan.headers });
  assert.equal(fanPlay.statusCode, 200, 'the follower can play it');

  const page = await (await env.browser.newContext({ viewport: PHONE, locale: 'en-US' })).newPage();
  await signUpUi(page, o, { handle: 'outsider', country: 'US' });
  const leaks = async () => page.locator(`[data-post="${postId}"], a[href="/watch/${postId}"]`).count();

  for (const path of ['/', '/following', '/@closecircle', '/tag/secretbeach', '/discover?q=secretbeach']) {
    await page.goto(`${o}${path}`);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    assert.equal(await leaks(), 0, `not on ${path}`);
    assert.doesNotMatch((await page.locator('main').textContent())!, /Only for my circle/, `caption not on ${path}`);
  }
  await page.goto(`${o}/watch/${postId}`);
  await page.getByRole('alert').waitFor();
  assert.equal(await page.locator('video').count(), 0, 'the watch page has no video for a stranger');

  // the follower's media URL, and the same path unsigned, fail in the stranger's browser
  const statuses = await page.evaluate(
    async (urls: string[]) => Promise.all(urls.map(async (u: string) => (await fetch(u, { credentials: 'same-origin' })).status)),
    [fanCopy.playUrl, fanCopy.playUrl.split('?')[0]],
  );
  for (const s of statuses) assert.ok(s === 403 || s === 404, `media refused to the stranger: ${statuses}`);
});
