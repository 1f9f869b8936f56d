import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { makeClip } from '../media/corpus.ts';
import { assertPlays, DESKTOP, e2eSuite, PHONE, pickAndUpload, shot, shots, signUpUi, tmp } from './browser.ts';

// The whole product in a real browser: two people in different countries, a
// real upload transcoded by the real pipeline, played in Chromium.

const { skip, env } = e2eSuite();

test('two people sign up in two realms, upload, find, play, like, comment, follow, get notified', { skip, timeout: 300_000 }, async () => {
  const o = env.server.origin;
  const dir = tmp();
  const clip = makeClip(join(dir, 'beach.mp4'), { w: 360, h: 640, seconds: 3, fps: 15 });
  const ana = await env.browser.newContext({ viewport: PHONE, locale: 'en-US' });
  const bea = await env.browser.newContext({ viewport: PHONE, locale: 'fr-FR', permissions: ['clipboard-read', 'clipboard-write'] });
  const a = await ana.newPage();
  const b = await bea.newPage();
  const pageErrors: string[] = [];
  for (const p of [a, b]) p.on('pageerror', (e: Error) => pageErrors.push(e.message));

  // sign-up: the home realm is explained before committing, in each one's language
  await a.goto(`${o}/signup`);
  await shots(a, 'signup');
  // right after sign-up, the optional topics step: Ana picks two, Béa skips it
  const anaRealm = await signUpUi(a, o, { handle: 'anaus', country: 'US', topics: ['Surfing', 'Travel'] });
  assert.match(anaRealm, /Your data will be kept in the .+ realm, run by .+, because you live in United States/);
  const beaRealm = await signUpUi(b, o, { handle: 'beafr', country: 'FR' });
  assert.match(beaRealm, /Vos données seront conservées dans le royaume .+, géré par .+ France/);
  const realmOf = async (h: string) => (await env.server.app.inject({ url: `/api/v1/users/${h}` })).json().realm;
  assert.equal(await realmOf('anaus'), 'us');
  assert.equal(await realmOf('beafr'), 'eu');
  const topicsOf = (p: typeof a) => p.evaluate(async () => ((await (await fetch('/api/v1/feed/interests')).json()) as { selected: string[] }).selected);
  assert.deepEqual(await topicsOf(a), ['surf', 'travel'], 'the topics Ana picked are stored');
  assert.deepEqual(await topicsOf(b), []);
  await a.goto(`${o}/settings`);
  assert.match((await a.getByTestId('data-sentence').textContent())!, /stored in the .+ realm, run by/);
  await shots(a, 'settings');

  // the studio: tus upload with a progress bar that reaches 100 %, then processing until ready
  await a.goto(`${o}/upload`);
  await a.getByTestId('file').waitFor();
  await shots(a, 'upload');
  await a.getByLabel('Caption').fill('Sunset at the #beach with @beafr');
  await a.evaluate(() => {
    const w = globalThis as any; // runs in the page: remember the highest value the bar showed
    w.maxPct = 0;
    new w.MutationObserver(() => {
      const p = w.document.querySelector('[data-testid=upload-progress]');
      if (p) w.maxPct = Math.max(w.maxPct, p.value);
    }).observe(w.document.body, { subtree: true, childList: true, attributes: true });
  });
  await pickAndUpload(a, clip);
  await a.getByTestId('processing').or(a.getByTestId('posted')).first().waitFor({ timeout: 30_000 });
  assert.equal(await a.evaluate(() => (globalThis as any).maxPct), 100, 'the progress bar reached 100 %');
  if (await a.getByTestId('processing').isVisible()) await shot(a, 'upload-processing');
  await a.getByTestId('posted').waitFor({ timeout: 180_000 });
  await shot(a, 'upload-posted');

  // the other person finds her in Discover, follows, and the video plays in Following
  await b.goto(`${o}/discover`);
  await b.getByRole('searchbox').fill('anaus');
  await b.getByRole('button', { name: 'Rechercher' }).click();
  await shot(b, 'search-results');
  await b.getByRole('link', { name: /@anaus/ }).click();
  await b.waitForURL(`${o}/@anaus`);
  await b.getByRole('button', { name: 'Suivre' }).click();
  await b.getByRole('button', { name: 'Abonné' }).waitFor();
  let found = false;
  for (let i = 0; i < 30 && !found; i++) {
    await b.goto(`${o}/following`);
    found = await b
      .locator('video.player')
      .first()
      .waitFor({ timeout: 2000 })
      .then(
        () => true,
        () => false,
      );
  }
  assert.ok(found, 'the video reached the Following feed');
  await assertPlays(b, 'section.slide video');
  await shots(b, 'feed');
  await assertPlays(b, 'section.slide video'); // still playing after resizes

  // like with a double-tap, then comment
  await b.locator('video.player').first().dblclick();
  await b.getByRole('button', { name: "Je n'aime plus" }).waitFor();
  assert.equal(await b.getByTestId('like-count').first().textContent(), '1');
  await b.getByRole('button', { name: 'Commentaires' }).click();
  await b.getByLabel('Ajouter un commentaire…').fill('Magnifique !');
  await b.getByRole('button', { name: 'Envoyer' }).click();
  await b.getByText('Magnifique !').waitFor();
  // when it was written, in words ("maintenant" now; a tooltip has the full date)
  assert.equal(await b.locator('li.comment', { hasText: 'Magnifique !' }).locator('time').textContent(), 'maintenant');
  await shots(b, 'comments');
  await b.keyboard.press('Escape');

  // the creator sees the notifications, the unread badge and the counts
  let unread = false;
  for (let i = 0; i < 30 && !unread; i++) {
    await a.goto(`${o}/`);
    unread = await a
      .getByTestId('unread-badge')
      .waitFor({ timeout: 1500 })
      .then(
        () => true,
        () => false,
      );
  }
  assert.ok(unread, 'the unread badge shows');
  await a.getByRole('link', { name: /Inbox/ }).click();
  await a.locator('.notifications li').first().waitFor();
  const inbox = (await a.locator('.notifications').textContent())!;
  assert.match(inbox, /beafr/);
  assert.match(inbox, /like|comment|follow/i);
  await shots(a, 'inbox');
  await a.goto(`${o}/@anaus`);
  await a.getByTestId('follower-count').waitFor();
  assert.equal(await a.getByTestId('follower-count').textContent(), '1');
  await a.locator('.grid a').first().waitFor();
  await shots(a, 'profile');
  const post = (await env.server.app.inject({ url: `/api/v1/users/anaus/videos` })).json().items[0];
  assert.equal(post.counts.likes, 1);
  assert.equal(post.counts.comments, 1);

  // the share route the /v/ page links to opens the video in the app
  await a.goto(`${o}/watch/${post.id}`);
  await assertPlays(a, 'section.slide video');
  await b.goto(`${o}/discover`);
  await b.getByRole('heading', { name: 'Tendances' }).waitFor();
  await b.getByRole('region', { name: '#beach' }).locator(`a[href="/watch/${post.id}"]`).waitFor(); // a trending hashtag's videos
  await shots(b, 'discover');
  await b.setViewportSize(DESKTOP);
  assert.deepEqual(pageErrors, []);
});
