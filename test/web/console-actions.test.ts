import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signUp } from '../helpers/users.ts';
import { addStaff } from '../../src/staff/staff.ts';
import { e2eSuite, PHONE, shots } from './browser.ts';

// The admin console's actions on people and realms, in the browser: a staff read needs a
// justification (a vague one gets the server's sentence) and lands in the person's access log;
// an administrator starts a person's move; a realm is suspended (its residents get 503), resumed,
// and closed only after the confirmation (Cancel changes nothing).

const { skip, env } = e2eSuite();

const until = async (what: string, ok: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++)
    if (await ok()) return;
    else await new Promise((r) => setTimeout(r, 100));
  assert.fail(`timed out waiting: ${what}`);
};

test(
  'admin console: staff read with a justification, a staff move, realm suspend / resume / close behind a confirmation',
  { skip, timeout: 240_000 },
  async () => {
    const o = env.server.origin;
    const inject = env.server.app.inject.bind(env.server.app);
    const person = await signUp(env.server, { handle: 'readme', country: 'DE' }); // realm eu, operator global
    await signUp(env.server, { handle: 'moveme', country: 'FR' }); // eu too
    const admin = (await addStaff(env.server.reelm, { operator: 'global', name: 'Ada Admin', role: 'administrator' })).token;
    const page = await (await env.browser.newContext({ viewport: PHONE, locale: 'en-US' })).newPage();
    await page.goto(`${o}/admin`);
    await page.getByLabel('Staff token').fill(admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('staff').waitFor();

    // staff read: a vague justification is refused with the server's sentence, a real one shows the record and is logged for the person
    const read = page.getByRole('form', { name: 'Read a person’s protected data' });
    await read.getByLabel('Username').fill('@readme');
    await read.getByLabel('Justification').fill('because');
    await read.getByRole('button', { name: 'Read' }).click();
    await read.getByRole('alert').filter({ hasText: "Reading a person's protected data needs a written justification" }).waitFor();
    await read.getByLabel('Justification').fill('Checking the birth date for ticket SUP-4711');
    await read.getByRole('button', { name: 'Read' }).click();
    const record = read.getByTestId('staff-read-result');
    await record.waitFor();
    assert.match((await record.textContent())!, /readme@example\.com.*DE.*eu/s);
    const log = (await inject({ url: '/api/v1/me/access-log', headers: person.headers })).json().entries;
    assert.equal(log.length, 1);
    assert.equal(log[0].justification, 'Checking the birth date for ticket SUP-4711');
    assert.equal(log[0].staffName, 'Ada Admin');

    // a staff move: started from the console, the account then lives in intl
    const move = page.getByRole('form', { name: 'Move a person to another realm' });
    await move.getByLabel('Username').fill('moveme');
    await move.getByLabel('Destination realm').fill('nowhere');
    await move.getByRole('button', { name: 'Start the move' }).click();
    await move.getByRole('alert').filter({ hasText: 'There is no realm "nowhere".' }).waitFor();
    await move.getByLabel('Destination realm').fill('intl');
    await move.getByRole('button', { name: 'Start the move' }).click();
    await move
      .getByRole('alert')
      .filter({ hasText: /the policy homes FR in realm eu, not intl/ })
      .waitFor();
    await move.getByLabel(/^Their new country/).fill('BR');
    await move.getByRole('button', { name: 'Start the move' }).click();
    await move
      .getByRole('status')
      .filter({ hasText: /^Move from eu to intl: / })
      .waitFor();
    await until('the move completes', async () => (await inject({ url: '/api/v1/users/moveme' })).json().realm === 'intl');
    await shots(page, 'admin-people');

    // realm lifecycle: suspend (the residents get 503), resume, close behind a confirmation
    const realms = (await inject({ url: '/api/v1/admin/realms', headers: { authorization: `Bearer ${admin}` } })).json().realms;
    const eu = realms.find((r: { name: string }) => r.name === 'eu').displayName;
    await page.getByRole('navigation', { name: 'Realms' }).getByRole('button', { name: eu }).click();
    const me = async () => (await inject({ url: '/api/v1/me', headers: person.headers })).statusCode;
    assert.equal(await me(), 200);
    await page.getByLabel('Reason (optional, kept in the realm log)').fill('database maintenance');
    await page.getByRole('button', { name: 'Suspend the realm' }).click();
    await page
      .getByTestId('realm-state')
      .filter({ hasText: /^suspended$/ })
      .waitFor();
    assert.equal(await me(), 503);
    await page.getByRole('button', { name: 'Resume the realm' }).click();
    await page
      .getByTestId('realm-state')
      .filter({ hasText: /^open$/ })
      .waitFor();
    assert.equal(await me(), 200);
    await page.getByRole('button', { name: 'Close the realm…' }).click();
    const confirm = page.getByRole('alertdialog');
    assert.match((await confirm.textContent())!, /Close eu\? Every resident is told/);
    await shots(page, 'admin-close-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await confirm.count(), 0);
    assert.equal(await page.getByTestId('realm-state').textContent(), 'open', 'Cancel changed nothing');
    await page.getByRole('button', { name: 'Close the realm…' }).click();
    await page.getByRole('button', { name: 'Yes, close eu' }).click();
    await page
      .getByTestId('realm-state')
      .filter({ hasText: /^closing$/ })
      .waitFor();
    const status = (await inject({ url: '/api/v1/admin/realms', headers: { authorization: `Bearer ${admin}` } }))
      .json()
      .realms.find((r: { name: string }) => r.name === 'eu');
    assert.equal(status.state, 'closing');
    assert.ok(Date.parse(status.closesAt) > Date.now());
    // a closing realm cannot be suspended or closed again from the console: the buttons are gone
    assert.equal(await page.getByRole('button', { name: 'Suspend the realm' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Close the realm…' }).count(), 0);
  },
);
