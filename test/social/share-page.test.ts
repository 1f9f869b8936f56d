import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, postVideo } from './helpers.ts';

// The shareUrl of POST /posts/:id/shares opens a server-rendered page with
// Open Graph tags (escaped) and a link into the web app; hidden, private and
// missing posts get one and the same 404 page.

for (const lane of lanes()) {
  describe(`share page /v/<id> [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test('a shared public post opens a page with Open Graph tags, escaped', async () => {
      const creator = await signUp(t, { country: 'DE', displayName: 'Ann <b>&"' });
      const viewer = await signUp(t, { country: 'US' });
      const p = await postVideo(t, creator, { audience: 'public', caption: 'Skate <script>alert(1)</script> "day" #halfpipe' });
      await deliver(t);
      const shared = await api(t).post(`/api/v1/posts/${p.videoId}/shares`, viewer, { channel: 'link' });
      assert.equal(shared.statusCode, 201, shared.body);
      const url = shared.json().shareUrl as string;
      assert.match(url, new RegExp(`/v/${p.videoId}$`));
      const res = await t.app.inject({ url: new URL(url, 'http://x').pathname });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      const html = res.body;
      assert.ok(!html.includes('<script>'), 'caption is escaped');
      assert.ok(!html.includes('<b>'), 'display name is escaped');
      assert.match(html, /<meta property="og:title" content="Ann &#60;b&#62;&#38;&#34; \(@[^"]+\) on Reelm">/);
      assert.match(html, /<meta property="og:description" content="Skate &#60;script&#62;alert\(1\)&#60;\/script&#62; &#34;day&#34; #halfpipe">/);
      assert.match(html, new RegExp(`<meta property="og:image" content="https?://[^"]+/media/eu/users/${creator.userId}/videos/${p.videoId}/poster.jpg">`));
      assert.match(html, new RegExp(`<meta property="og:video" content="https?://[^"]+/media/eu/users/${creator.userId}/videos/${p.videoId}/540.mp4">`));
      assert.ok(html.includes(`href="/watch/${p.videoId}"`), 'links into the web app');
    });

    test('hidden, private and missing posts get the same 404 page', async () => {
      const creator = await signUp(t, { country: 'DE' });
      const fol = await postVideo(t, creator, { audience: 'followers', caption: 'secret followers caption' });
      const priv = await postVideo(t, creator, { audience: 'private', caption: 'secret private caption' });
      await deliver(t);
      const missing = await t.app.inject({ url: '/v/nosuchvideo0000' });
      assert.equal(missing.statusCode, 404);
      assert.match(missing.headers['content-type'] as string, /^text\/html/);
      for (const id of [fol.videoId, priv.videoId]) {
        const res = await t.app.inject({ url: `/v/${id}` });
        assert.equal(res.statusCode, 404);
        assert.equal(res.body, missing.body, 'no difference from a missing post');
      }
      assert.equal((await t.app.inject({ url: '/v/%3Cx%3E' })).statusCode, 404);
    });
  });
}
