import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signUp } from '../helpers/users.ts';
import { report, staffToken } from '../moderation/helpers.ts';
import { addStaff } from '../../src/staff/staff.ts';
import { e2eSuite, PHONE, postReady, readyVideo, shots } from './browser.ts';

// The admin console at /admin in the browser: a staff token signs in (a bad one
// gets the server's sentence); only the operator's realms are listed, with
// their state; the residency audit and the audit-log verification run; a
// reported video is age-restricted from the queue with a reason (a too-short
// one is refused with the server's sentence); the creator's appeal is reversed.

const { skip, env } = e2eSuite();

const until = async (what: string, ok: () => Promise<boolean>) => {
  for (let i = 0; i < 150; i++)
    if (await ok()) return;
    else await new Promise((r) => setTimeout(r, 100));
  assert.fail(`timed out waiting: ${what}`);
};

test(
  'admin console: sign in with a staff token, realms and state, audits, queue actions with a reason, an appeal decided',
  { skip, timeout: 240_000 },
  async () => {
    const o = env.server.origin;
    const inject = env.server.app.inject.bind(env.server.app);
    const creator = await signUp(env.server, { handle: 'risky', country: 'DE' }); // realm eu, operator global
    const reporter = await signUp(env.server, { handle: 'carefulus', country: 'US' });
    const video = await postReady(env.server, creator, await readyVideo(env.server, creator), { caption: 'Jumping off the roof' });
    await until('the post reaches us', async () => (await inject({ url: `/api/v1/posts/${video}`, headers: reporter.headers })).statusCode === 200);
    assert.equal((await report(env.server, reporter, 'video', video, 'dangerous_acts', 'kids will copy this')).statusCode, 201);
    const admin = (await addStaff(env.server.reelm, { operator: 'global', name: 'Ada Admin', role: 'administrator' })).token;
    const mod = (await addStaff(env.server.reelm, { operator: 'global', name: 'Mo Mod', role: 'moderator' })).token;
    const other = (await staffToken(env.server, 'atlantic', 'administrator')).headers.authorization.slice(7);
    const console_ = (await inject({ url: '/api/v1/admin/realms', headers: { authorization: `Bearer ${admin}` } })).json();
    await until(
      'the report reaches eu',
      async () => (await inject({ url: '/api/v1/admin/realms/eu/reports', headers: { authorization: `Bearer ${admin}` } })).json().items.length === 1,
    );

    const page = await (await env.browser.newContext({ viewport: PHONE, locale: 'en-US' })).newPage();
    const signIn = async (token: string) => {
      await page.goto(`${o}/admin`);
      await page.getByLabel('Staff token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };
    await signIn('stf_not_a_real_token');
    await page.getByRole('alert').filter({ hasText: 'This needs a staff token.' }).waitFor();

    // another operator's administrator sees only their realm
    await signIn(other);
    await page.getByTestId('staff').waitFor();
    const otherTabs = await page.getByRole('navigation', { name: 'Realms' }).getByRole('button').allTextContents();
    assert.equal(otherTabs.length, 1);
    assert.match(otherTabs[0]!, /open/);
    await page.getByRole('button', { name: 'Sign out' }).click();

    // a moderator may moderate but not run the residency audit: the server's sentence
    await signIn(mod);
    await page.getByRole('button', { name: 'Run the residency audit' }).click();
    await page.getByRole('alert').filter({ hasText: 'The moderator role cannot run the residency audit.' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(admin);
    await page.getByTestId('staff').getByText('Ada Admin · administrator').waitFor();
    const tabs = await page.getByRole('navigation', { name: 'Realms' }).getByRole('button').allTextContents();
    assert.deepEqual(
      tabs.map((x) => x.replace(/ ?open$/, '')),
      console_.realms.map((r: any) => r.displayName),
      'the operator’s realms, as the API lists them',
    );
    await page
      .getByRole('navigation', { name: 'Realms' })
      .getByRole('button', { name: console_.realms.find((r: any) => r.name === 'eu').displayName })
      .click();
    assert.equal(await page.getByTestId('realm-state').textContent(), 'open');
    await page.getByRole('button', { name: 'Run the residency audit' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Clean: \d+ rows and \d+ files checked/ })
      .waitFor();
    await page.getByRole('button', { name: 'Verify the audit log' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Intact: \d+ entries/ })
      .waitFor();

    // the queue: the reported video, its reason and note; age-restricted with a reason the creator reads
    const entry = page.locator(`[data-target="${video}"]`);
    await entry.getByText('Dangerous acts × 1').waitFor();
    await entry.getByText('— kids will copy this').waitFor();
    await shots(page, 'admin-console');
    await entry.getByLabel('Action').selectOption('age_restrict');
    await entry.getByLabel('Reason shown to the creator').fill('Too short');
    await entry.getByRole('button', { name: 'Apply' }).click();
    await entry.getByRole('alert').filter({ hasText: 'Say why, in a sentence the creator will read (at least 10 characters).' }).waitFor();
    await entry.getByLabel('Reason shown to the creator').fill('Stunts that children may copy are for adults only.');
    await entry.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').filter({ hasText: 'Restricted to adults: done.' }).waitFor();
    assert.equal(await entry.count(), 0, 'it leaves the queue');
    const [decision] = (await inject({ url: '/api/v1/me/moderation', headers: creator.headers })).json().items;
    assert.deepEqual(
      [decision.action, decision.reasonCode, decision.reasonText],
      ['age_restrict', 'dangerous_acts', 'Stunts that children may copy are for adults only.'],
    );
    assert.ok((await inject({ url: `/api/v1/posts/${video}`, headers: creator.headers })).json().labels.includes('age_restricted'));

    // the creator appeals; the console reverses it with a reason
    const appeal = await inject({
      method: 'POST',
      url: '/api/v1/me/appeals',
      headers: creator.headers,
      payload: { actionId: decision.id, text: 'It is a trick with a safety mat, shown at the end.' },
    });
    assert.equal(appeal.statusCode, 201, appeal.body);
    await page.reload();
    const pending = page.locator(`[data-appeal="${decision.id}"]`);
    await pending.getByText('Appeal: “It is a trick with a safety mat, shown at the end.”').waitFor();
    await pending.getByLabel('Reason for your decision').fill('The safety mat is visible: the restriction is lifted.');
    await pending.getByRole('button', { name: 'Reverse' }).click();
    await page.getByRole('status').filter({ hasText: 'Reverse: done.' }).waitFor();
    const after = (await inject({ url: '/api/v1/me/moderation', headers: creator.headers })).json().items[0];
    assert.equal(after.appeal.decision, 'reverse');
    assert.ok(!(await inject({ url: `/api/v1/posts/${video}`, headers: creator.headers })).json().labels.includes('age_restricted'), 'the label is lifted');
    // the console's token stays in this tab only
    assert.equal(await page.evaluate(() => (globalThis as any).localStorage.getItem('reelm.staffToken')), null);
  },
);
