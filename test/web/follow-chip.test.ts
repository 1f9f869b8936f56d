import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signUp } from '../helpers/users.ts';
import { e2eSuite, pageAs, PHONE, postReady, readyVideo, shots, signUpUi } from './browser.ts';

// In French (docs/WEB.md): the sign-up topics are in the interface language (picked by their French names, stored as
// the server's ids); For You's follow chip starts from the item's viewer.following — "Abonné" on the
// creator one follows, "Suivre" on the other — and pressing it unfollows (the API agrees).

const { skip, env } = e2eSuite();

test('French topics at sign-up; the For You follow chip says whom one already follows', { skip, timeout: 240_000 }, async () => {
  const o = env.server.origin;
  const cam = await signUp(env.server, { handle: 'camille', country: 'FR' });
  const dee = await signUp(env.server, { handle: 'dorian', country: 'FR' });
  const [c1, d1] = await Promise.all([
    readyVideo(env.server, cam, { w: 240, h: 426, seconds: 2, freq: 330 }),
    readyVideo(env.server, dee, { w: 240, h: 426, seconds: 2, freq: 660 }),
  ]);
  const camPost = await postReady(env.server, cam, c1!, { caption: 'Le chat #cats' });
  const deePost = await postReady(env.server, dee, d1!, { caption: 'Le chien #dogs' });

  const ctx = await env.browser.newContext({ viewport: PHONE, locale: 'fr-FR' });
  const page = await ctx.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e: Error) => pageErrors.push(e.message));
  // the topics step, in French: the French names pick the server's topics; coming back, no English name is on it
  await signUpUi(page, o, { handle: 'zoefr', country: 'FR', topics: ['Voyage', 'Surf', 'Échecs'] });
  await page.goto(`${o}/welcome/interests`);
  await page.getByTestId('topics').getByRole('button', { name: 'Voyage', pressed: true }).waitFor();
  const shown = await page.getByTestId('topics').getByRole('button').allTextContents();
  await shots(page, 'interests-fr');
  assert.ok(shown.includes('Voyage') && shown.includes('Chats') && shown.includes('Jardinage'), shown.join(', '));
  for (const english of ['Travel', 'Cats', 'Gardening', 'Cooking']) assert.ok(!shown.includes(english), `${english} is not shown in French`);
  const interests = await page.evaluate(async () => ((await (await fetch('/api/v1/feed/interests')).json()) as { selected: string[] }).selected);
  assert.deepEqual([...interests].sort(), ['chess', 'surf', 'travel']);

  // Yann follows Camille (before his first visit: For You leaves out what a visit already showed)
  const yann = await signUp(env.server, { handle: 'yann', country: 'FR' });
  const followed = await env.server.app.inject({ method: 'POST', url: '/api/v1/users/camille/follow', headers: yann.headers });
  assert.ok(followed.statusCode < 300, followed.body);
  // someone else's For You has both once they are indexed (the viewer's own state is not touched)
  const scout = await signUp(env.server, { country: 'FR' });
  for (let i = 0; ; i++) {
    const r = await env.server.app.inject({ url: '/api/v1/feed/for-you?limit=20&includeSeen=true', headers: scout.headers });
    const have = (r.json().items as { id: string }[]).map((x) => x.id);
    if (have.includes(camPost) && have.includes(deePost)) break;
    assert.ok(i < 80, 'both posts reach For You');
    await new Promise((r) => setTimeout(r, 250));
  }
  const feed = await pageAs(env.browser, o, yann, { locale: 'fr-FR' });
  const chipOf = (post: string) => feed.locator(`section.slide[data-post="${post}"] button.chip`);
  feed.on('pageerror', (e: Error) => pageErrors.push(e.message));
  await feed.goto(`${o}/`);
  await chipOf(camPost).waitFor({ state: 'attached', timeout: 15_000 });
  await chipOf(deePost).waitFor({ state: 'attached', timeout: 15_000 });
  assert.equal(await chipOf(camPost).textContent(), 'Abonné');
  assert.equal(await chipOf(camPost).getAttribute('aria-pressed'), 'true');
  assert.equal(await chipOf(deePost).textContent(), 'Suivre');
  assert.equal(await chipOf(deePost).getAttribute('aria-pressed'), 'false');
  await shots(feed, 'for-you-following-chip');
  // pressing "Abonné" unfollows: stored (the API's next For You page says so)
  await chipOf(camPost).click({ force: true });
  await chipOf(camPost).filter({ hasText: 'Suivre' }).waitFor({ state: 'attached' });
  const again = await feed.evaluate(
    async () =>
      ((await (await fetch('/api/v1/feed/for-you?limit=20&includeSeen=true')).json()) as { items: { id: string; viewer: { following: boolean } }[] }).items,
  );
  assert.equal(again.find((x) => x.id === camPost)?.viewer.following, false);
  assert.deepEqual(pageErrors, []);
});
