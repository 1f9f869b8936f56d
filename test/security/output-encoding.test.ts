import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, postVideo } from '../social/helpers.ts';

// S4: hostile text written into captions, bios, display names, comments and links is shown
// as text everywhere it appears: JSON the browser never renders (nosniff, CSP default-src
// 'none'), the server-rendered share page (escaped; no tag or handler of the user's own),
// and the web app (React text nodes only: no raw-HTML sinks in its source). Control and
// bidi-override characters are stripped before storing.

const SCRIPT = '<script>alert("x")</script>';
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const BIDI = '\u202etxt.exe\u202c';
const CONTROL = 'bell\u0007esc\u001b[31m';
const HOSTILE = `${SCRIPT} ${BREAKOUT} ${BIDI} ${CONTROL} '&amp;`;
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

function assertInertJson(res: { statusCode: number; headers: Record<string, unknown> }) {
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
}

/** The share page's markup is only Reelm's own: its tags, no event handler, no script. */
function assertInertHtml(html: string) {
  const tags = new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
  for (const tag of tags) assert.ok(['html', 'head', 'meta', 'title', 'body', 'main', 'h1', 'p', 'a'].includes(tag), `unexpected <${tag}> in the share page`);
  // with quoted attribute values blanked, what is left of each tag is Reelm's own attributes
  const skeleton = html.replace(/"[^"]*"/g, '""');
  assert.doesNotMatch(skeleton, /<[^>]*\son[a-z]+\s*=/i, 'no event handler attribute');
  assert.doesNotMatch(html, UNSAFE_CHARS);
  // every attribute value is closed by the page's own quote: no value carries a raw quote
  for (const m of html.matchAll(/content="([^"]*)"/g)) assert.doesNotMatch(m[1]!, /[<>]/);
}

for (const lane of lanes()) {
  describe(`S4 output encoding [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    it('hostile captions, bios, display names and comments are stored clean and shown as text in JSON and on the share page', async () => {
      const creator = await signUp(t, { country: 'DE', displayName: `${BREAKOUT.slice(0, 30)}${BIDI}` });
      const fan = await signUp(t);
      const a = api(t);
      const profile = await a.patch('/api/v1/me/profile', creator, { bio: HOSTILE, links: ['https://example.com/"><img src=x onerror=alert(1)>'] });
      assert.equal(profile.statusCode, 200, profile.body);
      for (const bad of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'http://example.com']) {
        const r = await a.patch('/api/v1/me/profile', creator, { links: [bad] });
        assert.equal(r.statusCode, 400, bad);
        assert.equal(r.json().error.code, 'invalid_link');
      }
      const { videoId } = await postVideo(t, creator, { caption: HOSTILE });
      await deliver(t);
      assert.equal((await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: HOSTILE })).statusCode, 201);
      await deliver(t);

      const shown = await a.get(`/api/v1/users/${creator.handle}`, fan);
      assertInertJson(shown);
      const p = shown.json();
      assert.doesNotMatch(p.displayName + p.bio, UNSAFE_CHARS);
      assert.ok(p.bio.includes(SCRIPT) && p.displayName.startsWith(BREAKOUT.slice(0, 30)), 'the text itself is kept, as text');
      assert.equal(p.links[0].domain, 'example.com');
      assert.ok(p.links[0].url.startsWith('https://example.com/'));
      assert.doesNotMatch(p.links[0].url, /["<>]/, 'a link is stored URL-encoded');

      const post = await a.get(`/api/v1/posts/${videoId}`, fan);
      assertInertJson(post);
      assert.doesNotMatch(post.json().caption, UNSAFE_CHARS);
      assert.ok(post.json().caption.includes(BREAKOUT));
      const comments = await a.get(`/api/v1/posts/${videoId}/comments`, fan);
      assertInertJson(comments);
      const body = comments.json().items[0].body as string;
      assert.ok(body.includes(SCRIPT));
      assert.doesNotMatch(body, UNSAFE_CHARS);
      for (const res of [shown, post, comments]) assert.doesNotMatch(res.body, UNSAFE_CHARS);

      const page = await t.app.inject({ url: `/v/${videoId}` });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
      assertInertHtml(page.body);
      assert.ok(page.body.includes('&#60;script&#62;'), 'the caption is on the page, escaped');
    });

    it('the web app renders user text through React only: no raw-HTML sink in its source', () => {
      const files = readdirSync('web/src', { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && /\.(tsx?|jsx?)$/.test(e.name))
        .map((e) => join(e.parentPath, e.name));
      assert.ok(files.length > 5);
      for (const f of files) {
        const src = readFileSync(f, 'utf8');
        assert.doesNotMatch(src, /dangerouslySetInnerHTML|\.innerHTML\s*=|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, f);
        // a link built from user data goes through href only when the server checked it (https profile links; the
        // operator's information banners, https by the `moderation.banners` schema) or made it (an export's signed link)
        for (const m of src.matchAll(/href=\{([^}]+)\}/g))
          assert.ok(['to', 'l.url', 'post.banner.url', 'x.downloadUrl'].includes(m[1]!.trim()), `${f}: href={${m[1]}} needs a check`);
      }
    });
  });
}
