import { join } from 'node:path';
import { makeClip } from '../test/media/corpus.ts';
import { uploadMultipart } from '../test/media/helpers.ts';
import { signUp } from '../test/helpers/users.ts';
import { launch, PHONE, startServer, tmp } from '../test/web/browser.ts';

// The feed page in Chromium against a real Reelm with a really transcoded video:
//  • JS sent for the feed page: every script response, as sent (gzip), summed;
//  • first video frame: performance.now() (ms since navigation start) at the
//    first requestVideoFrameCallback of the feed's video, cold browser each run.
// Run: npm run bench -- web-feed   (needs web/dist: npm start or npm test builds it)

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const server = await startServer();
const browser = await launch();
try {
  const creator = await signUp(server, { handle: 'benchcreator', country: 'US' });
  const viewer = await signUp(server, { handle: 'benchviewer', country: 'FR' });
  const up = await uploadMultipart(server, creator, makeClip(join(tmp(), 'b.mp4'), { w: 720, h: 1280, seconds: 4, fps: 30 }));
  let s = up.json();
  while (s.state !== 'ready') {
    if (s.state === 'failed') throw new Error(JSON.stringify(s));
    await new Promise((r) => setTimeout(r, 300));
    s = (await server.app.inject({ url: `/api/v1/uploads/${s.id}`, headers: creator.headers })).json();
  }
  await server.app.inject({ method: 'POST', url: '/api/v1/posts', headers: creator.headers, payload: { videoId: s.videoId, caption: 'bench #bench' } });
  await server.app.inject({ method: 'POST', url: '/api/v1/users/benchcreator/follow', headers: viewer.headers });
  await new Promise((r) => setTimeout(r, 2000)); // the follow's flow delivery
  const cookie = { name: 'reelm_session', value: viewer.token, url: server.origin };

  const frames: number[] = [];
  let jsBytes = 0;
  let jsFiles: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext({ viewport: PHONE });
    await ctx.addCookies([cookie]);
    // armed before any page script: resolves on the first painted frame of the first video
    await ctx.addInitScript(() => {
      const w = globalThis as any;
      w.firstFrame = new Promise((resolve) => {
        const arm = () => {
          const v = w.document.querySelector('video.player');
          if (v && v.src) v.requestVideoFrameCallback(() => resolve(w.performance.now()));
          else setTimeout(arm, 5);
        };
        arm();
      });
    });
    const page = await ctx.newPage();
    const scripts: { url: string; bytes: number }[] = [];
    page.on('response', async (r) => {
      if (r.request().resourceType() === 'script') scripts.push({ url: r.url(), bytes: Number((await r.allHeaders())['content-length'] ?? 0) });
    });
    await page.goto(`${server.origin}/following`);
    const ms = (await page.evaluate(() => (globalThis as any).firstFrame)) as number;
    frames.push(ms);
    await page.waitForLoadState('networkidle');
    jsBytes = scripts.reduce((a, b) => a + b.bytes, 0);
    jsFiles = scripts.map((x) => `${new URL(x.url).pathname} ${x.bytes}`);
    await ctx.close();
  }
  frames.sort((a, b) => a - b);
  const median = frames[Math.floor(frames.length / 2)]!;
  console.log(`JS sent for the feed page (gzip, as transferred): ${(jsBytes / 1024).toFixed(1)} KB in ${jsFiles.length} files`);
  for (const f of jsFiles) console.log(`  ${f}`);
  console.log(
    `first video frame from navigation, ${RUNS} cold runs: median ${median.toFixed(0)} ms (min ${frames[0]!.toFixed(0)}, max ${frames.at(-1)!.toFixed(0)})`,
  );
} finally {
  await browser.close();
  await server.close();
}
