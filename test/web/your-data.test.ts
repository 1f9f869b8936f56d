import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { signUp } from '../helpers/users.ts';
import { e2eSuite, pageAs, postReady, readyVideo, shots } from './browser.ts';

// Settings › Your data in the browser: an archive requested, prepared by the
// running workers and downloaded through its signed link (the bytes are the
// archive the API describes); a move to the home realm of a new country (a
// refusal is the server's sentence; an accepted one really moves the
// account); deleting the account with the password signs this browser out.

const { skip, env } = e2eSuite();

const until = async (what: string, ok: () => Promise<boolean>, tries = 300) => {
  for (let i = 0; i < tries; i++)
    if (await ok()) return;
    else await new Promise((r) => setTimeout(r, 100));
  assert.fail(`timed out waiting: ${what}`);
};

test('download my data, move to another realm, delete my account', { skip, timeout: 240_000 }, async () => {
  const o = env.server.origin;
  const inject = env.server.app.inject.bind(env.server.app);
  const ada = await signUp(env.server, { handle: 'adadata', country: 'US' });
  await postReady(env.server, ada, await readyVideo(env.server, ada), { caption: 'In my archive' });

  const page = await pageAs(env.browser, o, ada, { acceptDownloads: true });
  await page.goto(`${o}/settings`);
  await page.getByRole('button', { name: 'Request an archive' }).click();
  const row = page.getByTestId('exports').locator('li').first();
  await row.waitFor();
  await row.getByRole('link', { name: 'Download' }).waitFor({ timeout: 60_000 }); // the list is asked again while it is prepared
  assert.match((await row.textContent())!, /Ready.*deleted/);
  await shots(page, 'settings-your-data');
  const [item] = (await inject({ url: '/api/v1/me/exports', headers: ada.headers })).json().items;
  assert.equal(item.state, 'ready');
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Download' }).click()]);
  const bytes = readFileSync((await download.path())!);
  assert.equal(bytes.length, item.sizeBytes);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), item.sha256, 'the browser got the archive the API describes');
  assert.ok(bytes.includes(Buffer.from('In my archive')), 'it holds my post');

  // wrong password: the server's sentence, still signed in
  await page.getByLabel('Your password, to confirm').fill('not my password');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await page.getByRole('alert').filter({ hasText: 'Your password is not correct.' }).waitFor();
  assert.equal((await inject({ url: '/api/v1/me', headers: ada.headers })).statusCode, 200);
  await page.getByLabel('Your password, to confirm').fill(ada.password);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await page.waitForURL(`${o}/login?deleted=1`);
  await page.getByText('Your account has been deleted.').waitFor();
  assert.equal(await page.evaluate(async () => (await fetch('/api/v1/me')).status), 401, 'this browser is signed out');
  assert.equal((await inject({ url: '/api/v1/users/adadata' })).statusCode, 404, 'the account is gone');

  // a move: the same realm is refused with the server's sentence; another country's realm is accepted and the account moves there
  const max = await signUp(env.server, { handle: 'maxmoves', country: 'US' });
  const mover = await pageAs(env.browser, o, max, { locale: 'en-US' });
  await mover.goto(`${o}/settings`);
  const country = mover.getByLabel('The country you live in now');
  await country.selectOption('PR');
  await mover.getByTestId('move-realm').waitFor();
  await mover.getByRole('button', { name: 'Move my data' }).click();
  await mover.getByRole('alert').filter({ hasText: 'already lives in the home realm of PR' }).waitFor();
  await country.selectOption('DE');
  assert.match((await mover.getByTestId('move-realm').textContent())!, /would move to the .* realm/);
  await mover.getByRole('button', { name: 'Move my data' }).click();
  await mover.getByRole('status').filter({ hasText: 'has started' }).waitFor();
  await until('the account lives in eu', async () => (await inject({ url: '/api/v1/users/maxmoves' })).json().realm === 'eu');
});
