import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signUp, type TestUser } from '../helpers/users.ts';
import { assertPlays, e2eSuite, PHONE, postReady, readyVideo, shots, signUpUi } from './browser.ts';

// For You in the browser against the real ranking: real uploads, transcoded;
// the person watches and likes in the For You tab (the app sends the watch
// events and the like), and the next visit ranks the liked creator's new video
// first and says why. A control person who liked the other creator gets the
// other order, so the order comes from what each one did.

const { skip, env } = e2eSuite();

test('For You: watch and like in the tab, the liked creator’s next video comes first, with its “why”', { skip, timeout: 300_000 }, async () => {
  const o = env.server.origin;
  const inject = env.server.app.inject.bind(env.server.app);
  const cam = await signUp(env.server, { handle: 'camcats', country: 'US' });
  const dee = await signUp(env.server, { handle: 'deedogs', country: 'FR' }); // another realm: her posts arrive by flow
  const scout = await signUp(env.server, { country: 'US' });
  const clips = await Promise.all([
    readyVideo(env.server, cam, { w: 240, h: 426, seconds: 2, freq: 330 }),
    readyVideo(env.server, cam, { w: 240, h: 426, seconds: 2, freq: 550 }),
    readyVideo(env.server, dee, { w: 240, h: 426, seconds: 2, freq: 660 }),
    readyVideo(env.server, dee, { w: 240, h: 426, seconds: 2, freq: 770 }),
  ]);
  const cam1 = await postReady(env.server, cam, clips[0]!, { caption: 'Nap time #cats' });
  const dee1 = await postReady(env.server, dee, clips[2]!, { caption: 'Fetch! #dogs' });
  const forYou = async (who: TestUser | { cookie: string }) => {
    const headers = 'headers' in who ? who.headers : { cookie: who.cookie };
    const r = await inject({ url: '/api/v1/feed/for-you?limit=20&includeSeen=true', headers });
    assert.equal(r.statusCode, 200, r.body);
    return r.json().items as { id: string; why: { sentence: string } }[];
  };
  // someone else's For You shows when both have reached the US realm (no state of the viewer is touched)
  const visible = async (ids: string[]) => {
    for (let i = 0; i < 80; i++) {
      const have = (await forYou(scout)).map((x) => x.id);
      if (ids.every((id) => have.includes(id))) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.fail(`not in For You: ${ids}`);
  };
  await visible([cam1, dee1]);

  const ctx = await env.browser.newContext({ viewport: PHONE, locale: 'en-US' });
  const page = await ctx.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e: Error) => pageErrors.push(e.message));
  await signUpUi(page, o, { handle: 'vivus', country: 'US' });
  const session = (await ctx.cookies()).find((c) => c.name === 'reelm_session')!;
  const viewerCookie = { cookie: `reelm_session=${session.value}` };

  // the For You tab shows both; j/arrow keys move between them; the liked one plays
  const slides = page.locator('section.slide');
  await slides.nth(1).waitFor({ timeout: 15_000 });
  assert.deepEqual((await slides.evaluateAll((s) => s.map((x) => (x as any).dataset.post))).sort(), [cam1, dee1].sort());
  assert.equal(await page.getByRole('link', { name: 'For You' }).getAttribute('aria-current'), 'page');
  const at = await slides.evaluateAll((s, id) => s.findIndex((x) => (x as any).dataset.post === id), cam1);
  if (at > 0) await page.keyboard.press('j');
  const camSlide = page.locator(`section.slide[data-post="${cam1}"]`);
  await assertPlays(page, `section.slide[data-post="${cam1}"] video`);
  await page.waitForTimeout(1500); // a 2 s clip: it loops, so the play counts as finished
  const liked = page.waitForResponse((r) => r.url().endsWith(`/api/v1/posts/${cam1}/like`) && r.request().method() === 'PUT');
  await camSlide.getByRole('button', { name: 'Like', exact: true }).click();
  assert.equal((await liked).status(), 200);

  // "why this video" is the ranking's own reason for this person, as the API gives it
  const why = (await inject({ url: `/api/v1/feed/why/${cam1}`, headers: viewerCookie })).json();
  assert.ok(why.sentence, JSON.stringify(why));
  await camSlide.getByRole('button', { name: 'Why this video' }).click();
  assert.equal(await camSlide.getByRole('status').textContent(), why.sentence);
  await shots(page, 'for-you-why');

  // moving on ends the play; the app sends it as a watch event (batched)
  const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/watch-events') && r.request().method() === 'POST', { timeout: 20_000 });
  await page.keyboard.press(at > 0 ? 'k' : 'j');
  const batch = await sent;
  assert.equal(batch.status(), 200);
  const events = JSON.parse(batch.request().postData()!).events as { videoId: string; completed: boolean }[];
  assert.ok(
    events.some((e) => e.videoId === cam1 && e.completed),
    `a finished play of the liked video was sent: ${JSON.stringify(events)}`,
  );

  // a control person who liked the other creator instead (through the API)
  const ctrl = await signUp(env.server, { country: 'US' });
  assert.equal((await inject({ method: 'PUT', url: `/api/v1/posts/${dee1}/like`, headers: ctrl.headers })).statusCode, 200);

  // both creators post again; the next visit ranks the liked creator's new video first, and says why
  const cam2 = await postReady(env.server, cam, clips[1]!, { caption: 'Second nap #cats' });
  const dee2 = await postReady(env.server, dee, clips[3]!, { caption: 'Ball! #dogs' });
  await visible([cam2, dee2]);
  assert.equal((await forYou(ctrl))[0]!.id, dee2, 'the control, who liked @deedogs, gets her new video first');
  await page.goto(`${o}/`);
  await page.locator(`section.slide[data-post="${dee2}"]`).waitFor({ timeout: 15_000 });
  const order = await slides.evaluateAll((s) => s.map((x) => (x as any).dataset.post));
  assert.equal(order[0], cam2, `the liked creator's new video comes first: ${order}`);
  assert.ok(!order.includes(cam1) && !order.includes(dee1), 'what was already shown is left out of a new visit');
  const first = page.locator(`section.slide[data-post="${cam2}"]`);
  await first.getByRole('button', { name: 'Why this video' }).click();
  const reason = (await first.getByRole('status').textContent())!;
  assert.match(reason, /#cats|@camcats/, reason);
  assert.equal(reason, (await inject({ url: `/api/v1/feed/why/${cam2}`, headers: viewerCookie })).json().sentence);
  await shots(page, 'for-you-next');

  // "not interested" is stored (201) before the video leaves the feed
  await page.keyboard.press('j');
  const other = page.locator(`section.slide[data-post="${dee2}"]`);
  const fb = page.waitForResponse((r) => r.url().endsWith('/api/v1/feed/feedback'));
  await other.getByRole('button', { name: 'Not interested' }).click();
  assert.equal((await fb).status(), 201);
  await other.waitFor({ state: 'detached' });
  assert.deepEqual(pageErrors, []);
});
