import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signUp } from '../helpers/users.ts';
import { e2eSuite, pageAs, postReady, readyVideo, shots } from './browser.ts';

// Settings › Privacy in the browser, in French: going private, a stranger's
// "Request to follow" → "Requested" with the lists and videos hidden, the
// owner's badge and approve / decline, hide liked videos, keyword filters
// (a refusal is the server's sentence), and muting from a profile. Every
// change is checked through the product's own API.

const { skip, env } = e2eSuite();

test(
  'a private account: requests approved and declined in Settings, lists hidden from strangers; mutes, keyword filters, hidden likes',
  { skip, timeout: 180_000 },
  async () => {
    const o = env.server.origin;
    const inject = env.server.app.inject.bind(env.server.app);
    const owner = await signUp(env.server, { handle: 'priloue', country: 'FR', displayName: 'Lou' });
    const asker = await signUp(env.server, { handle: 'askbob', country: 'US', displayName: 'Bob' });
    const other = await signUp(env.server, { handle: 'askcat', country: 'US', displayName: 'Cat' });
    await postReady(env.server, owner, await readyVideo(env.server, owner), { caption: 'Seulement pour mes amis' });
    const me = async (u: typeof owner, path: string) => (await inject({ url: `/api/v1${path}`, headers: u.headers })).json();

    // the owner goes private in Settings (French)
    const lou = await pageAs(env.browser, o, owner, { locale: 'fr-FR' });
    await lou.goto(`${o}/settings`);
    await lou.getByLabel('Compte privé').click(); // (check() can read the box between the optimistic render and the stored answer)
    await lou.getByRole('status').filter({ hasText: 'Enregistré.' }).waitFor();
    assert.equal((await me(owner, '/users/priloue')).isPrivate, true, 'stored: the profile is private');

    // a stranger sees "Request to follow", no videos, no list links; then "Requested"
    const bob = await pageAs(env.browser, o, asker);
    await bob.goto(`${o}/@priloue`);
    await bob.getByTestId('private-note').waitFor();
    assert.equal(await bob.locator('.grid a').count(), 0, 'no videos shown');
    assert.equal(await bob.locator('.counts a').count(), 0, 'the lists are not links');
    await bob.getByRole('button', { name: 'Request to follow' }).click();
    await bob.getByRole('button', { name: 'Requested' }).waitFor();
    assert.deepEqual(
      (await me(asker, '/me/follow-requests/sent')).items.map((r: any) => [r.handle, r.state]),
      [['priloue', 'pending']],
    );
    await shots(bob, 'profile-private-requested');
    await bob.reload();
    await bob.getByRole('button', { name: 'Requested' }).waitFor(); // the state comes from the API, not from memory
    await inject({ method: 'POST', url: '/api/v1/users/priloue/follow', headers: other.headers });
    // the requests travel to the owner's realm by flows (delivered by the running workers)
    for (let i = 0; i < 100 && (await me(owner, '/me/follow-requests')).items.length < 2; i++) await new Promise((r) => setTimeout(r, 100));

    // the owner's badge, then approve one and decline the other
    await lou.goto(`${o}/@priloue`);
    assert.equal(await lou.getByTestId('requests-badge').textContent(), '2');
    await lou.goto(`${o}/settings`);
    const requests = lou.getByTestId('follow-requests');
    await requests.locator('li').nth(1).waitFor();
    assert.equal(await lou.getByTestId('requests-badge').textContent(), '2');
    await shots(lou, 'settings-privacy');
    await lou.getByRole('button', { name: 'Accepter @askbob' }).click();
    await lou.getByText('@askbob vous suit maintenant.').waitFor();
    await lou.getByRole('button', { name: 'Refuser @askcat' }).click();
    await lou.getByText('@askcat refusé.').waitFor();
    assert.equal(await requests.locator('li').count(), 0);
    assert.deepEqual(
      (await me(owner, '/users/priloue/followers')).items.map((f: any) => f.handle),
      ['askbob'],
    );
    assert.deepEqual((await me(owner, '/me/follow-requests')).items, []);

    // the approved follower now sees the video and the lists, once the approval has travelled back to his realm by flows
    const follows = async () => (await me(asker, '/users/askbob/following')).items.map((f: any) => f.handle);
    for (let i = 0; i < 100 && !(await follows()).includes('priloue'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await follows(), ['priloue']);
    await bob.goto(`${o}/@priloue`);
    await bob.getByRole('button', { name: 'Following' }).waitFor();
    await bob.locator('.grid a').first().waitFor();
    assert.equal(await bob.locator('.counts a').count(), 2);

    // hide liked videos; keyword filters, with the server's sentence for a refused word
    await lou.getByLabel("Masquer les vidéos que j'aime").check();
    await lou.getByRole('status').filter({ hasText: 'Enregistré.' }).first().waitFor();
    assert.equal((await me(owner, '/me/settings')).hideLikes, true);
    await lou.getByLabel('Ajouter un mot').fill('spoiler');
    await lou.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await lou.getByTestId('keywords').getByText('spoiler').waitFor();
    assert.deepEqual((await me(owner, '/me/settings')).keywordFilters, ['spoiler']);
    await lou.getByLabel('Ajouter un mot').fill('x'.repeat(41));
    await lou.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await lou.getByRole('alert').filter({ hasText: 'Filtered words are at most 40 characters.' }).waitFor();
    assert.equal(await lou.getByLabel('Ajouter un mot').inputValue(), 'x'.repeat(41), 'the refused word stays in the field');
    await lou.getByRole('button', { name: 'Retirer spoiler' }).click();
    await lou.getByTestId('keywords').getByText('spoiler').waitFor({ state: 'detached' });
    assert.deepEqual((await me(owner, '/me/settings')).keywordFilters, []);

    // mute from a profile; it is listed in Settings and unmuted there
    await bob.goto(`${o}/@askcat`);
    await bob.getByRole('button', { name: 'Mute', exact: true }).click();
    await bob.getByRole('button', { name: 'Unmute' }).waitFor();
    assert.deepEqual(
      (await me(asker, '/me/mutes')).items.map((m: any) => m.handle),
      ['askcat'],
    );
    await bob.goto(`${o}/settings`);
    await bob.getByRole('button', { name: 'Unmute @askcat' }).click();
    await bob.getByTestId('mutes').locator('li').waitFor({ state: 'detached' });
    assert.deepEqual((await me(asker, '/me/mutes')).items, []);
  },
);

test('the daily screen-time reminder: set in Settings, shown once the day’s time on screen passes it', { skip, timeout: 120_000 }, async () => {
  const o = env.server.origin;
  const teen = await signUp(env.server, { handle: 'screenkid', country: 'US', birthDate: '2011-06-01' });
  const settings = async () => (await env.server.app.inject({ url: '/api/v1/me/settings', headers: teen.headers })).json();
  assert.equal((await settings()).screenTime.dailyReminderMinutes, 60, 'the country’s default');
  const page = await pageAs(env.browser, o, teen);
  await page.goto(`${o}/settings`);
  const field = page.getByLabel('Daily screen-time reminder (minutes)');
  await field.fill('1');
  await field.blur();
  await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  assert.equal((await settings()).screenTime.dailyReminderMinutes, 1, 'stored');
  // 50 s on screen already today (this device's count), then the feed: the next ticks pass the minute
  await page.evaluate(() =>
    localStorage.setItem('reelm.screenTime', JSON.stringify({ day: new Date().toLocaleDateString('sv'), seconds: 50, reminded: false })),
  );
  await page.goto(`${o}/`);
  const reminder = page.getByRole('alertdialog').filter({ hasText: 'minutes here today' });
  await reminder.waitFor({ timeout: 40_000 });
  await shots(page, 'screen-time-reminder');
  await page.getByRole('button', { name: 'Got it' }).click();
  await reminder.waitFor({ state: 'detached' });
  const day = await page.evaluate(() => JSON.parse(localStorage.getItem('reelm.screenTime')!));
  assert.equal(day.reminded, true, 'once a day');
});
