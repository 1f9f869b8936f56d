import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signUp } from '../helpers/users.ts';
import { admin, moderate, staffToken } from '../moderation/helpers.ts';
import { e2eSuite, pageAs, postReady, readyVideo, shots, type Page } from './browser.ts';

// Trust and safety in the browser: "Report" on a video, a comment and a
// profile with the reasons the API enumerates (they reach the moderation
// queue of the content's realm); the information banner of a configured
// hashtag; "Unverified content" on a video with a prompt before sharing;
// "State-affiliated media" on the account; the creator reads a removal's
// reason in the inbox and appeals once.

const BANNER = { hashtags: ['election2026'], text: 'Find official election information', url: 'https://vote.example.org/' };
const { skip, env } = e2eSuite({ moderation: { banners: [BANNER] } });

const until = async (what: string, ok: () => Promise<boolean>) => {
  for (let i = 0; i < 150; i++)
    if (await ok()) return;
    else await new Promise((r) => setTimeout(r, 100));
  assert.fail(`timed out waiting: ${what}`);
};

async function report(page: Page, open: () => Promise<unknown>, reason: string, note?: string) {
  await open();
  const dialog = page.getByRole('dialog', { name: /^Report this/ });
  await dialog.getByLabel(reason).check();
  if (note) await dialog.getByLabel(/Anything to add/).fill(note);
  await dialog.getByRole('button', { name: 'Send' }).click();
  await dialog.getByText('Thank you. The moderators will look at it.').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
}

test(
  'report a video, a comment and a profile; banners and labels; the share prompt; the creator appeals a removal once',
  { skip, timeout: 240_000 },
  async () => {
    const o = env.server.origin;
    const inject = env.server.app.inject.bind(env.server.app);
    const creator = await signUp(env.server, { handle: 'newsdesk', country: 'DE' }); // realm eu, operator global
    const viewer = await signUp(env.server, { handle: 'watcher', country: 'US' }); // realm us
    const vote = await postReady(env.server, creator, await readyVideo(env.server, creator), { caption: 'Polls open today #election2026' });
    const cure = await postReady(env.server, creator, await readyVideo(env.server, creator, { w: 240, h: 426, seconds: 2, freq: 660 }), {
      caption: 'A miracle cure',
    });
    const comment = (
      await inject({ method: 'POST', url: `/api/v1/posts/${vote}/comments`, headers: creator.headers, payload: { body: 'Buy followers here' } })
    ).json();
    const mod = await staffToken(env.server, 'global');
    const asViewer = async (path: string) => (await inject({ url: `/api/v1${path}`, headers: viewer.headers })).json();
    await until('the posts reach the viewer’s realm', async () => (await inject({ url: `/api/v1/posts/${cure}`, headers: viewer.headers })).statusCode === 200);

    const page = await pageAs(env.browser, o, viewer, { permissions: ['clipboard-read', 'clipboard-write'] });
    await page.goto(`${o}/watch/${vote}`);
    const banner = page.getByTestId('banner');
    await banner.waitFor();
    assert.equal(await banner.getByRole('link', { name: BANNER.text }).getAttribute('href'), BANNER.url);

    // the reasons offered are the API's own list
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Report' }).click();
    await page.getByRole('dialog').getByRole('radio').first().waitFor();
    const reasons = (await inject({ url: '/api/v1/moderation/vocabulary' })).json().reasons as string[];
    assert.equal(await page.getByRole('dialog').getByRole('radio').count(), reasons.length);
    await shots(page, 'report-video');
    await page.keyboard.press('Escape');
    await report(
      page,
      async () => (await page.getByRole('button', { name: 'More' }).click(), page.getByRole('menuitem', { name: 'Report' }).click()),
      'False information',
      'Claims the vote is cancelled',
    );
    await page.getByRole('button', { name: 'Comments' }).click();
    await report(page, () => page.getByRole('button', { name: 'Report: @newsdesk' }).click(), 'Spam');
    await page.goto(`${o}/@newsdesk`);
    await report(page, () => page.getByRole('button', { name: 'Report', exact: true }).click(), 'Harassment or bullying');

    // each report is in the queue of the content's realm (eu), with its reason and note
    let queue: any[] = [];
    await until('three reports in the eu queue', async () => (queue = (await admin(env.server, mod).queue('eu')).json().items).length === 3);
    const of = (kind: string) => queue.find((q) => q.target.kind === kind);
    assert.deepEqual([of('video').target.id, of('video').reasons, of('video').notes], [vote, { misinformation: 1 }, ['Claims the vote is cancelled']]);
    assert.deepEqual([of('comment').target.id, of('comment').reasons], [comment.id, { spam: 1 }]);
    assert.deepEqual([of('account').target.id, of('account').reasons], [creator.userId, { harassment: 1 }]);

    // labels: unverified on a video, state-affiliated on the account; sharing the unverified video asks first
    await moderate(env.server, mod, 'eu', 'video', cure, 'label', { label: 'unverified' });
    await moderate(env.server, mod, 'eu', 'account', creator.userId, 'label', { label: 'state_affiliated', reasonCode: 'other' });
    await until('the labels reach the viewer’s realm', async () => ((await asViewer(`/posts/${cure}`)).labels ?? []).length === 2);
    const shares: string[] = [];
    page.on('request', (r) => r.url().endsWith(`/posts/${cure}/shares`) && shares.push(r.method()));
    await page.goto(`${o}/watch/${cure}`);
    const labels = page.getByTestId('labels');
    await labels.getByText('Unverified content').waitFor();
    await labels.getByText('State-affiliated media').waitFor();
    await page.getByRole('button', { name: 'Share' }).click();
    const ask = page.getByRole('alertdialog');
    await ask.getByText('This video is labelled “Unverified content”. Share it anyway?').waitFor();
    await shots(page, 'share-unverified');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await ask.count(), 0);
    assert.deepEqual(shares, [], 'cancelled: nothing shared');
    await page.getByRole('button', { name: 'Share' }).click();
    await ask.getByRole('button', { name: 'Share anyway' }).click();
    await page.getByRole('status').filter({ hasText: 'Link copied' }).waitFor();
    assert.deepEqual(shares, ['POST']);
    await page.goto(`${o}/@newsdesk`);
    await page.getByTestId('account-label').getByText('State-affiliated media').waitFor();

    // a removal: the creator reads the reason in the inbox and appeals once
    const removal = await moderate(env.server, mod, 'eu', 'video', vote, 'remove', { reasonText: 'This video spreads false claims about the vote.' });
    const studio = await pageAs(env.browser, o, creator);
    await studio.goto(`${o}/inbox`);
    const decision = studio.locator(`[data-decision="${removal.id}"]`);
    await decision.getByText('Reason: This video spreads false claims about the vote.').waitFor();
    assert.match((await decision.textContent())!, /Removed — your video/);
    await decision.getByRole('button', { name: 'Appeal' }).click();
    await decision.getByLabel('Why is this decision wrong?').fill('no');
    await decision.getByRole('button', { name: 'Send appeal' }).click();
    await decision.getByRole('alert').filter({ hasText: 'Say why the decision is wrong (at least 10 characters).' }).waitFor();
    await decision.getByLabel('Why is this decision wrong?').fill('The polls really are open today: see the official site.');
    await decision.getByRole('button', { name: 'Send appeal' }).click();
    await decision.getByText('Appeal sent: a moderator will decide.').waitFor();
    assert.equal(await decision.getByRole('button', { name: 'Appeal' }).count(), 0, 'once');
    await shots(studio, 'inbox-decision');
    const mine = (await inject({ url: '/api/v1/me/moderation', headers: creator.headers })).json().items.find((d: any) => d.id === removal.id);
    assert.equal(mine.appeal.text, 'The polls really are open today: see the official site.');
    assert.equal(mine.mayAppeal, false);
    const again = await inject({
      method: 'POST',
      url: '/api/v1/me/appeals',
      headers: creator.headers,
      payload: { actionId: removal.id, text: 'Once more, with feeling.' },
    });
    assert.equal(again.statusCode, 409);
    await studio.reload();
    await decision.getByText('Appeal sent: a moderator will decide.').waitFor();
  },
);
