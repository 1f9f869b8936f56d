import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { signUp } from '../helpers/users.ts';
import { moderate, report, staffToken } from '../moderation/helpers.ts';
import { DESKTOP, e2eSuite, PHONE, postReady, readyVideo, signUpUi, type Page } from './browser.ts';

// axe-core in the real browser on every main screen, at a phone and a desktop
// size: no serious or critical violation. axe runs through the DevTools
// protocol (page.evaluate), so the app's Content-Security-Policy stays as served.

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const { skip, env } = e2eSuite();

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

async function audit(page: Page, screen: string): Promise<string[]> {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(200);
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE);
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const r = await axe.run((globalThis as any).document, { resultTypes: ['violations'] });
    return r.violations;
  })) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${screen} @${page.viewportSize()!.width}px: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('no serious or critical axe violation on the main screens, phone and desktop; the feed works from the keyboard', { skip, timeout: 300_000 }, async () => {
  const o = env.server.origin;
  const inject = env.server.app.inject.bind(env.server.app);
  const creator = await signUp(env.server, { handle: 'axecreator', country: 'US' });
  const posts = [];
  for (const freq of [440, 660])
    posts.push(
      await postReady(env.server, creator, await readyVideo(env.server, creator, { w: 240, h: 426, seconds: 2, freq }), {
        caption: `Checking #access ${freq}`,
      }),
    );
  const ctx = await env.browser.newContext({ viewport: PHONE, locale: 'en-US' });
  const page = await ctx.newPage();
  const anon = await audit(await (async () => (await page.goto(`${o}/signup`), page))(), 'sign-up');
  await signUpUi(page, o, { handle: 'axeviewer', country: 'US' });
  await page.goto(`${o}/@axecreator`);
  await page.getByRole('button', { name: 'Follow' }).click();
  await page.getByRole('button', { name: 'Following' }).waitFor();
  await inject({ method: 'POST', url: `/api/v1/posts/${posts[0]}/comments`, headers: creator.headers, payload: { body: 'Welcome!' } });
  await inject({ method: 'POST', url: '/api/v1/users/axeviewer/follow', headers: creator.headers }); // a notification for the inbox
  // trust and safety: a private account, a labelled video (the share prompt), a decision about the viewer (the inbox), a report in the queue
  const closed = await signUp(env.server, { handle: 'axeprivate', country: 'US' });
  await inject({ method: 'PATCH', url: '/api/v1/me/settings', headers: closed.headers, payload: { isPrivate: true } });
  const mod = await staffToken(env.server, 'atlantic', 'administrator');
  await moderate(env.server, mod, 'us', 'video', posts[1]!, 'label', { label: 'unverified' });
  const viewerId = (await inject({ url: '/api/v1/users/axeviewer' })).json().id;
  await moderate(env.server, mod, 'us', 'account', viewerId, 'warn');
  const reported = await report(env.server, closed, 'video', posts[0]!, 'spam', 'looks like spam');
  assert.equal(reported.statusCode, 201, reported.body);
  // through the console's own form and button, as staff do: a sessionStorage write just before a reload can be lost
  const staffIn = async (token: string | null) => {
    const signOut = page.getByRole('button', { name: 'Sign out' });
    await page.getByLabel('Staff token').or(signOut).first().waitFor();
    // a token kept in the tab is checked behind the sign-in form ("Loading…"): wait until that is settled
    await page.locator('main').getByText('Loading…').waitFor({ state: 'hidden' });
    if (await signOut.isVisible()) await signOut.click();
    if (!token) return;
    await page.getByLabel('Staff token').fill(token);
    await page.locator('main form').getByRole('button', { name: 'Sign in' }).click();
  };
  const screens: [string, string, (() => Promise<unknown>)?][] = [
    ['feed', '/following', () => page.locator('section.slide video').first().waitFor()],
    ['for-you', '/', () => page.locator('section.slide, .empty').first().waitFor()],
    [
      'comments',
      `/watch/${posts[0]}`,
      async () => (await page.getByRole('button', { name: 'Comments' }).first().click(), page.getByRole('dialog').getByText('Welcome!').waitFor()),
    ],
    ['video-menu', `/watch/${posts[0]}`, () => page.getByRole('button', { name: 'More' }).click()],
    ['profile', '/@axecreator', () => page.locator('.grid a').first().waitFor()],
    ['studio', '/upload', () => page.getByTestId('file').waitFor({ state: 'attached' })],
    ['settings', '/settings', () => page.getByTestId('sessions').locator('li').first().waitFor()],
    ['discover', '/discover', () => page.getByRole('heading', { name: 'Trending' }).waitFor()],
    ['search', '/discover?q=axe', () => page.getByRole('tab').first().waitFor()],
    ['inbox', '/inbox', async () => (await page.locator('.notifications li').first().waitFor({ timeout: 15_000 }), page.getByTestId('decisions').waitFor())],
    ['private-profile', '/@axeprivate', () => page.getByTestId('private-note').waitFor()],
    [
      'report',
      `/watch/${posts[0]}`,
      async () => (
        await page.getByRole('button', { name: 'More' }).click(),
        await page.getByRole('menuitem', { name: 'Report' }).click(),
        page.getByRole('radio').first().waitFor()
      ),
    ],
    ['share-prompt', `/watch/${posts[1]}`, async () => (await page.getByRole('button', { name: 'Share' }).click(), page.getByRole('alertdialog').waitFor())],
    ['admin-sign-in', '/admin', async () => (await staffIn(null), page.getByLabel('Staff token').waitFor())],
    ['admin', '/admin', async () => (await staffIn(mod.headers.authorization.slice(7)), page.getByTestId('queue').locator('li').first().waitFor())],
    [
      'admin-staff-read',
      '/admin',
      async () => {
        const read = page.getByRole('form', { name: 'Read a person’s protected data' });
        await read.getByLabel('Username').fill('@axeviewer');
        await read.getByLabel('Justification').fill('Accessibility review of the console, ticket A11Y-7');
        await read.getByRole('button', { name: 'Read' }).click();
        await read.getByTestId('staff-read-result').waitFor();
      },
    ],
    [
      'admin-close-confirm',
      '/admin',
      async () => (await page.getByRole('button', { name: 'Close the realm…' }).click(), page.getByRole('alertdialog').waitFor()),
    ],
  ];
  const found: string[] = [...anon];
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    for (const [name, path, ready] of screens) {
      await page.goto(`${o}${path}`);
      await ready?.();
      found.push(...(await audit(page, name)));
    }
  }
  assert.deepEqual(found, [], found.join('\n'));

  // keyboard: j / ArrowDown go to the next video, k / ArrowUp back; the active one plays
  await page.setViewportSize(PHONE);
  await page.goto(`${o}/following`);
  await page.locator('section.slide').nth(1).waitFor();
  const playing = () =>
    page.evaluate(() => [...(globalThis as any).document.querySelectorAll('section.slide')].findIndex((s: any) => !s.querySelector('video').paused));
  const waitPlaying = async (i: number) => {
    for (let n = 0; n < 50 && (await playing()) !== i; n++) await page.waitForTimeout(100);
    assert.equal(await playing(), i);
  };
  await waitPlaying(0);
  await page.keyboard.press('j');
  await waitPlaying(1);
  await page.keyboard.press('k');
  await waitPlaying(0);
  await page.keyboard.press('ArrowDown');
  await waitPlaying(1);
  // every control on the feed is reachable by Tab and shows where focus is
  await page.keyboard.press('Tab');
  const focus = await page.evaluate(() => {
    const el = (globalThis as any).document.activeElement;
    return { tag: el.tagName, outline: (globalThis as any).getComputedStyle(el).outlineStyle };
  });
  assert.notEqual(focus.tag, 'BODY');
  assert.notEqual(focus.outline, 'none', 'focus is visible');
});
