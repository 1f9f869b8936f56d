import assert from 'node:assert/strict';
import { test } from 'node:test';
import { e2eSuite, PHONE, shots, signUpUi } from './browser.ts';

// Settings → Sessions in the browser: the devices one is logged in on, "log out"
// on another device, and "log out everywhere else"; the ended browsers really
// are logged out.

const { skip, env } = e2eSuite();

test('settings lists my sessions; I end another device, then every other one', { skip, timeout: 120_000 }, async () => {
  const o = env.server.origin;
  const phone = await (
    await env.browser.newContext({ viewport: PHONE, locale: 'en-US', userAgent: 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0' })
  ).newPage();
  await signUpUi(phone, o, { handle: 'ninaus', country: 'US' });
  const logIn = async (userAgent: string) => {
    const p = await (await env.browser.newContext({ viewport: PHONE, locale: 'en-US', userAgent })).newPage();
    await p.goto(`${o}/login`);
    await p.getByLabel('Username or email').fill('ninaus');
    await p.getByLabel('Password').fill('correct horse battery staple');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL(`${o}/`);
    return p;
  };
  const laptop = await logIn('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36');
  const tablet = await logIn('Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/604.1');
  const signedIn = async (p: typeof phone) => p.evaluate(async () => (await fetch('/api/v1/me')).status);

  await phone.goto(`${o}/settings`);
  const rows = phone.getByTestId('sessions').locator('li');
  await rows.nth(2).waitFor();
  const text = (await phone.getByTestId('sessions').textContent())!;
  for (const d of ['Firefox on Android', 'Chrome on Linux', 'Safari on iOS']) assert.match(text, new RegExp(d));
  assert.match((await rows.filter({ hasText: 'This device' }).textContent())!, /Firefox on Android/);
  await shots(phone, 'settings-sessions');

  await phone.getByRole('button', { name: 'Log out: Chrome on Linux' }).click();
  await rows.nth(2).waitFor({ state: 'detached' });
  assert.equal(await signedIn(laptop), 401, 'the ended device is logged out');
  assert.equal(await signedIn(tablet), 200);
  await phone.getByRole('button', { name: 'Log out everywhere else' }).click();
  await rows.nth(1).waitFor({ state: 'detached' });
  assert.equal(await signedIn(tablet), 401);
  assert.equal(await signedIn(phone), 200, 'this device stays logged in');
  assert.equal(await rows.count(), 1);
});
