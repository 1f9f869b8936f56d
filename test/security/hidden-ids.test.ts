import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../src/lib/ids.ts';
import { addStaff } from '../../src/staff/staff.ts';
import { makeClip } from '../media/corpus.ts';
import { multipart } from '../media/helpers.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { postVideo } from '../social/helpers.ts';

// S1: for every route that takes an id, a person without access gets exactly the
// answer (status and body) they get for an id that does not exist, so ids cannot
// be probed. The routes come from the app's route table: a new route with an id
// parameter fails this test until it is given a hidden object to try.

/** Identifiers that name public things by design: a handle's profile, a hashtag, a realm (published in the policy). */
const PUBLIC_BY_DESIGN = new Set(['handle', 'tag', 'realm']);

interface Hidden {
  /** path parameters that point at something the stranger may not see */
  params: Record<string, string>;
  /** the same with ids that do not exist */
  missing: Record<string, string>;
}

async function makeHiddenObjects(t: TestReelm, owner: TestUser) {
  const priv = await postVideo(t, owner, { caption: 'only me', audience: 'private' }, { soundTitle: 'Private tune' });
  const comment = await t.app.inject({
    method: 'POST',
    url: `/api/v1/posts/${priv.post.id}/comments`,
    headers: owner.headers,
    payload: { body: 'note to self' },
  });
  assert.equal(comment.statusCode, 201, comment.body);
  const collection = await t.app.inject({ method: 'POST', url: '/api/v1/me/collections', headers: owner.headers, payload: { name: 'secret list' } });
  assert.equal(collection.statusCode, 201, collection.body);
  // a real clip: an upload the probe refuses is answered at once, so this one must be a video
  const clipDir = mkdtempSync(join(tmpdir(), 'reelm-hidden-'));
  const m = multipart(readFileSync(makeClip(join(clipDir, 'a.mp4'), { seconds: 1, fps: 5 })), 'a.mp4');
  rmSync(clipDir, { recursive: true, force: true });
  const upload = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { ...owner.headers, ...m.headers }, payload: m.payload });
  assert.equal(upload.statusCode, 202, upload.body);
  const tus = await t.app.inject({
    method: 'POST',
    url: '/api/v1/uploads/tus',
    headers: { ...owner.headers, 'tus-resumable': '1.0.0', 'upload-length': '1000' },
  });
  assert.equal(tus.statusCode, 201, tus.body);
  const sessions = await t.app.inject({ url: '/api/v1/me/sessions', headers: owner.headers });
  assert.equal(sessions.statusCode, 200, sessions.body);
  // a moderation decision about the owner (the admin routes name one by id)
  const mod = await addStaff(t.reelm, { operator: 'global', name: 'Mo Derator', role: 'moderator' });
  const action = await t.app.inject({
    method: 'POST',
    url: '/api/v1/admin/realms/eu/actions',
    headers: { authorization: `Bearer ${mod.token}` },
    payload: { target: { kind: 'account', id: owner.userId }, action: 'warn', reasonCode: 'spam', reasonText: 'Please stop posting the same link.' },
  });
  assert.equal(action.statusCode, 201, action.body);
  return {
    sessionId: sessions.json().items[0].id as string,
    actionId: action.json().id as string,
    postId: priv.post.id as string,
    videoId: priv.videoId,
    soundId: priv.soundId!,
    commentId: comment.json().id as string,
    collectionId: collection.json().id as string,
    uploadId: upload.json().id as string,
    tusId: String(tus.headers.location).split('/').pop()!,
    mediaKey: `users/${owner.userId}/videos/${priv.videoId}/540.mp4`,
  };
}

for (const lane of lanes()) {
  describe(`S1: no access looks exactly like no such id [${lane}]`, () => {
    let t: TestReelm;
    let stranger: TestUser;
    let hidden: Awaited<ReturnType<typeof makeHiddenObjects>>;
    before(async () => {
      t = await startReelm(lane);
      const owner = await signUp(t, { country: 'DE' });
      stranger = await signUp(t, { country: 'US' });
      hidden = await makeHiddenObjects(t, owner);
    });
    after(() => t.close());

    /** What to try for a route: the hidden object its path is about, and a missing one. */
    function hiddenFor(url: string): Hidden | undefined {
      const missing = newId();
      if (url.startsWith('/media/') || url.startsWith('/_reelm/access/media/'))
        return { params: { realm: 'eu', '*': hidden.mediaKey }, missing: { realm: 'eu', '*': hidden.mediaKey.replace(hidden.videoId, missing) } };
      if (url.startsWith('/api/v1/uploads/tus/')) return { params: { id: hidden.tusId }, missing: { id: missing } };
      if (url.startsWith('/api/v1/uploads/')) return { params: { id: hidden.uploadId }, missing: { id: missing } };
      if (url.startsWith('/api/v1/videos/')) return { params: { id: hidden.videoId }, missing: { id: missing } };
      if (url.startsWith('/api/v1/sounds/')) return { params: { id: hidden.soundId }, missing: { id: missing } };
      if (url.startsWith('/api/v1/comments/')) return { params: { id: hidden.commentId }, missing: { id: missing } };
      if (url.startsWith('/api/v1/me/sessions/')) return { params: { id: hidden.sessionId }, missing: { id: missing } };
      if (url.startsWith('/api/v1/me/collections/')) return { params: { id: hidden.collectionId }, missing: { id: missing } };
      if (url.startsWith('/api/v1/feed/why/')) return { params: { videoId: hidden.videoId }, missing: { videoId: missing } };
      if (url.startsWith('/api/v1/admin/')) return { params: { realm: 'eu', actionId: hidden.actionId }, missing: { realm: 'eu', actionId: missing } };
      if (url.startsWith('/v/')) return { params: { id: hidden.postId }, missing: { id: missing } };
      if (url.startsWith('/api/v1/posts/')) return { params: { id: hidden.postId, commentId: hidden.commentId }, missing: { id: missing, commentId: newId() } };
      return undefined;
    }

    const fill = (url: string, params: Record<string, string>) => url.replace(/:(\w+)/g, (_m, name: string) => params[name]!).replace('*', params['*'] ?? '*');

    const bodies: Record<string, unknown> = {
      'POST /api/v1/posts/:id/comments': { body: 'hello' },
      'PATCH /api/v1/posts/:id': { caption: 'mine now' },
      'POST /api/v1/posts/:id/shares': { channel: 'link' },
    };

    test('every route with an id answers the same for a hidden id and a missing one', async () => {
      // (the API reference's static files are the only wildcard routes that name no object)
      const routes = t.app.routeTable.filter((r) => /:\w+|\*/.test(r.url) && r.method !== 'OPTIONS' && !r.url.startsWith('/api/docs'));
      const checked: string[] = [];
      for (const { method, url } of routes) {
        const names = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
        if (names.length > 0 && names.every((n) => PUBLIC_BY_DESIGN.has(n)) && !url.includes('*')) continue;
        const h = hiddenFor(url);
        assert.ok(h, `${method} ${url} takes an id: give it a hidden object in this test`);
        const extra = url.startsWith('/api/v1/uploads/tus/')
          ? { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }
          : {};
        const body =
          method === 'GET' || method === 'HEAD' || method === 'DELETE' ? undefined : (bodies[`${method} ${url}`] ?? (url.includes('/tus/') ? 'x' : {}));
        const ask = (params: Record<string, string>) =>
          t.app.inject({
            method: method as 'GET',
            url: fill(url, params),
            headers: { ...stranger.headers, ...extra },
            ...(body !== undefined ? { payload: body as string } : {}),
          });
        const [a, b] = [await ask(h.params), await ask(h.missing)];
        // (idempotent undo routes such as DELETE …/like may answer 200 to both: still the same answer)
        assert.equal(a.statusCode, b.statusCode, `${method} ${url}: hidden ${a.statusCode} vs missing ${b.statusCode}`);
        assert.equal(
          a.body.replaceAll(hidden.videoId, 'ID'),
          b.body.replace(/[0-9a-hjkmnp-tv-z]{26}/g, 'ID').replaceAll(hidden.videoId, 'ID'),
          `${method} ${url}: bodies differ`,
        );
        checked.push(`${method} ${url}`);
      }
      assert.ok(checked.length >= 25, `checked ${checked.length} routes`);
    });

    test('every GET route with a handle answers the same for a private account and an unknown handle (the profile itself excepted)', async () => {
      // The profile (handle, name, counts, isPrivate) stays visible by design, so people can ask to follow;
      // so does where I stand with the account (the profile's follow button: none, requested, following).
      const VISIBLE_BY_DESIGN = new Set(['/api/v1/users/:handle', '/api/v1/users/:handle/follow']);
      const priv = await signUp(t, { country: 'FR' });
      assert.equal((await t.app.inject({ method: 'PATCH', url: '/api/v1/me/settings', headers: priv.headers, payload: { isPrivate: true } })).statusCode, 200);
      await postVideo(t, priv, { caption: 'for my followers' });
      const unknown = 'nosuchhandle77';
      const routes = t.app.routeTable.filter((r) => r.method === 'GET' && r.url.includes(':handle') && !VISIBLE_BY_DESIGN.has(r.url));
      for (const { url } of routes) {
        for (const headers of [stranger.headers, undefined]) {
          const [a, b] = [
            await t.app.inject({ url: url.replace(':handle', priv.handle), headers }),
            await t.app.inject({ url: url.replace(':handle', unknown), headers }),
          ];
          assert.equal(a.statusCode, b.statusCode, `GET ${url}: private ${a.statusCode} vs unknown ${b.statusCode}`);
          assert.equal(a.body, b.body, `GET ${url}: bodies differ`);
        }
      }
      assert.ok(routes.length >= 5, `checked ${routes.length} routes`);
    });
  });
}
