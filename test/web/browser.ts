import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startReelm, type TestReelm } from '../helpers/lanes.ts';
import { missingLane } from '../helpers/missing-lane.ts';
import { startBackground } from '../../src/modules/roles.ts';
import { makeClip } from '../media/corpus.ts';
import { uploadMultipart } from '../media/helpers.ts';
import type { TestUser } from '../helpers/users.ts';
import { SESSION_COOKIE } from '../../src/api/auth.ts';
// types only: the package itself lives in web/node_modules (the web app's own dependencies)
import type * as Playwright from '../../web/node_modules/playwright-core/index.js';

// End-to-end helpers: a real Reelm listening on a real port (workers on, so
// uploads are really transcoded and flows really delivered) and Debian's
// Chromium driven by playwright-core from web/node_modules.

const requireWeb = createRequire(resolve('web/package.json'));
export const CHROMIUM = process.env.REELM_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve('test-artifacts/web');

/** Why the e2e lane cannot run here, or null. Under CI a reason is a failure, not a skip. */
export function cannotRun(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync('web/node_modules/playwright-core')) return 'web/node_modules is missing (npm test installs it; or cd web && npm ci)';
  if (!existsSync('web/dist/index.html')) return 'web/dist is not built (npm test builds it; or cd web && npm run build)';
  return null;
}

export function skipOrFail(): string | false {
  const why = cannotRun();
  return missingLane(why !== null, `web e2e: ${why}`);
}

export async function startServer(config: Record<string, unknown> = {}): Promise<TestReelm & { origin: string }> {
  const t = await startReelm('sqlite', { config: { workers: true, ...config } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as { port: number };
  // as `reelm serve` does: the API plus the background work (media jobs, flow delivery, counts)
  const background = startBackground(t.reelm);
  const closeReelm = t.close;
  return Object.assign(t, {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      await background.stop();
      await closeReelm();
    },
  });
}

/** One server and one browser for a test file, started before its tests and closed after (config: overrides for the server). */
export function e2eSuite(config: Record<string, unknown> = {}) {
  const skip = skipOrFail();
  const env = {} as { server: Awaited<ReturnType<typeof startServer>>; browser: Browser };
  before(async () => {
    if (skip) return;
    env.server = await startServer(config);
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return { skip, env };
}

export async function launch() {
  const { chromium } = requireWeb('playwright-core') as typeof Playwright;
  // a fresh temporary profile every launch (playwright's default)
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
}
export type Browser = Playwright.Browser;
export type Page = Playwright.Page;

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 860 };

export async function shot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.waitForTimeout(150);
  const size = page.viewportSize()!;
  await page.screenshot({ path: join(ARTIFACTS, `${name}-${size.width < 600 ? 'phone' : 'desktop'}.png`) });
}

/** Both sizes of one screen. */
export async function shots(page: Page, name: string) {
  const was = page.viewportSize()!;
  for (const v of [PHONE, DESKTOP]) {
    await page.setViewportSize(v);
    await shot(page, name);
  }
  await page.setViewportSize(was);
}

/** A browser page logged in as a person signed up through the API (the session cookie carries their token, as a log-in sets it). */
export async function pageAs(browser: Browser, origin: string, user: TestUser, opts: Parameters<Browser['newContext']>[0] = {}) {
  const ctx = await browser.newContext({ viewport: PHONE, locale: 'en-US', ...opts });
  await ctx.addCookies([{ name: SESSION_COOKIE, value: user.token, url: origin }]);
  return ctx.newPage();
}

/** Signs up through the UI; returns the home-realm sentence shown before committing. */
export async function signUpUi(page: Page, origin: string, u: { handle: string; country: string }) {
  await page.goto(`${origin}/signup`);
  await page.getByLabel(/Country|Pays/).selectOption(u.country);
  const realm = (await page.getByTestId('home-realm').textContent())!;
  await page.getByLabel(/^(Username|Nom d'utilisateur)/).fill(u.handle);
  await page.getByLabel(/^(Email|E-mail)/).fill(`${u.handle}@example.com`);
  await page.getByLabel(/Date of birth|Date de naissance/).fill('1994-03-02');
  await page.getByLabel(/^(Password|Mot de passe)/).fill('correct horse battery staple');
  await page.getByRole('button', { name: /Create account|Créer le compte/ }).click();
  await page.waitForURL(`${origin}/`);
  return realm;
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reelm-web-'));
}

/** A file that is not a video at all, named like one. */
export function notAVideo(dir: string): string {
  const f = join(dir, 'holiday.mp4');
  writeFileSync(f, 'This is a text file, not a video.\n'.repeat(200));
  return f;
}

/** Plays for a while and checks, in the page, that time advances and real frames are drawn. */
export async function assertPlays(page: Page, selector: string) {
  await page.waitForSelector(selector, { timeout: 15_000 });
  const r = await page.evaluate(async (sel: string) => {
    const doc = (globalThis as any).document; // runs in the page
    const v = doc.querySelector(sel);
    const wait = (ms: number) => new Promise((res) => setTimeout(res, ms));
    for (let i = 0; i < 100 && (v.readyState < 2 || v.paused); i++) await wait(100);
    const c = doc.createElement('canvas');
    c.width = 64;
    c.height = 112;
    const g = c.getContext('2d', { willReadFrequently: true })!;
    const frame = () => {
      g.drawImage(v, 0, 0, c.width, c.height);
      return Array.from(g.getImageData(0, 0, c.width, c.height).data) as number[];
    };
    const t0 = v.currentTime;
    const a = frame();
    await wait(1200);
    const b = frame();
    const distinct = new Set(a.filter((_, i) => i % 4 === 0)).size; // testsrc2 is colourful, a black frame is one value
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
    return { t0, t1: v.currentTime, paused: v.paused, readyState: v.readyState, distinct, diff, src: v.currentSrc, err: v.error?.message ?? null };
  }, selector);
  assert.equal(r.err, null, `media error: ${r.err}`);
  assert.ok(r.t1 > r.t0 + 0.5 || (r.t1 < r.t0 && r.t1 > 0), `currentTime advances: ${JSON.stringify(r)}`);
  assert.ok(r.distinct > 10, `frames are drawn (not blank): ${JSON.stringify(r)}`);
  assert.ok(r.diff > 0, `two frames a second apart differ: ${JSON.stringify(r)}`);
  return r;
}

/** A generated clip uploaded through the API and transcoded by the real pipeline; returns its video id once ready. */
export async function readyVideo(server: TestReelm, user: TestUser, clip: Parameters<typeof makeClip>[1] = { w: 240, h: 426, seconds: 2 }, options?: unknown) {
  const up = await uploadMultipart(server, user, makeClip(join(tmp(), 'clip.mp4'), clip), options);
  assert.equal(up.statusCode, 202, up.body);
  let state = up.json();
  for (let i = 0; i < 480 && state.state !== 'ready'; i++) {
    assert.notEqual(state.state, 'failed', JSON.stringify(state));
    await new Promise((r) => setTimeout(r, 500));
    state = (await server.app.inject({ url: `/api/v1/uploads/${state.id}`, headers: user.headers })).json();
  }
  assert.equal(state.state, 'ready', JSON.stringify(state));
  return state.videoId as string;
}

/** Posts a ready video through the API; returns the post id. */
export async function postReady(server: TestReelm, user: TestUser, videoId: string, body: Record<string, unknown> = {}) {
  const made = await server.app.inject({ method: 'POST', url: '/api/v1/posts', headers: user.headers, payload: { videoId, ...body } });
  assert.equal(made.statusCode, 201, made.body);
  return made.json().id as string;
}

/** In the studio: picks a file (the preview and trim appear), then starts the upload. */
export async function pickAndUpload(page: Page, file: string) {
  await page.getByTestId('file').setInputFiles(file);
  await page.getByRole('button', { name: /^(Upload and post|Envoyer et publier)$/ }).click();
}
