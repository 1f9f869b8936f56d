import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, follow, postVideo } from './helpers.ts';

// Lists never show a private video, a followers-only video to a non-follower,
// or content of a blocked account — on every path.

for (const lane of lanes()) {
  describe(`visibility on every list path [${lane}]`, () => {
    it('Following feed, profile grid, hashtag page, sound page and search agree', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' }); // eu
      const follower = await signUp(r, { country: 'US' }); // us, follows creator
      const stranger = await signUp(r, { country: 'JP' }); // another realm, does not follow
      const blocked = await signUp(r, { country: 'US' }); // follows creator, then creator blocks them
      const blocker = await signUp(r, { country: 'US' }); // follows creator, then blocks creator
      for (const who of [follower, blocked, blocker]) await follow(r, who, creator);

      const cap = (aud: string) => `zebracrossing ${aud} #stripes`;
      const first = await postVideo(r, creator, { caption: cap('public'), audience: 'public' }, { soundTitle: 'Stripe Anthem' });
      const sound = first.soundId!;
      const pub = first.videoId;
      const fol = (await postVideo(r, creator, { caption: cap('followers'), audience: 'followers' }, { soundId: sound })).videoId;
      const priv = (await postVideo(r, creator, { caption: cap('private'), audience: 'private' }, { soundId: sound })).videoId;
      await deliver(r);
      const a = api(r);
      const b1 = await a.put(`/api/v1/blocks/${blocked.handle}`, creator);
      assert.equal(b1.statusCode, 200, b1.body);
      assert.equal((await a.put(`/api/v1/blocks/${creator.handle}`, blocker)).statusCode, 200);
      await deliver(r);

      const paths = (viewer: TestUser | undefined) => [
        ...(viewer ? [['following feed', '/api/v1/feed/following']] : []),
        ['profile grid', `/api/v1/users/${creator.handle}/videos`],
        ['hashtag page', '/api/v1/hashtags/stripes'],
        ['sound page', `/api/v1/sounds/${sound}/videos`],
        ['search', '/api/v1/search?q=zebracrossing&type=videos'],
      ];
      const seen = async (viewer: TestUser | undefined) => {
        const out: Record<string, string[]> = {};
        for (const [name, url] of paths(viewer)) {
          const res = await a.get(url!, viewer);
          if (res.statusCode === 404) {
            out[name!] = [];
            continue;
          }
          assert.equal(res.statusCode, 200, `${name}: ${res.body}`);
          const body = res.json();
          out[name!] = (body.items ?? body.videos).map((i: any) => i.id).sort();
        }
        return out;
      };
      const expectAll = (got: Record<string, string[]>, want: string[], who: string, feedWant = want) => {
        for (const [path, list] of Object.entries(got)) assert.deepEqual(list, [...(path === 'following feed' ? feedWant : want)].sort(), `${who} on ${path}`);
      };
      expectAll(await seen(follower), [pub, fol], 'a follower');
      expectAll(await seen(stranger), [pub], 'a non-follower', []);
      expectAll(await seen(undefined), [pub], 'an anonymous visitor');
      expectAll(await seen(blocked), [], 'a person the creator blocked');
      expectAll(await seen(blocker), [], 'a person who blocked the creator');
      // The creator sees their own private post on their own grid.
      const own = (await a.get(`/api/v1/users/${creator.handle}/videos`, creator)).json();
      assert.deepEqual(own.items.map((i: any) => i.id).sort(), [pub, fol, priv].sort());

      // Single-post and engagement paths answer like a missing post (S1).
      const missing = await a.get('/api/v1/posts/06h1bpwe7sxkqzmc7ps4rnjef0', stranger);
      assert.equal(missing.statusCode, 404);
      for (const [who, id] of [
        [stranger, fol],
        [stranger, priv],
        [blocked, pub],
        [follower, priv],
      ] as const) {
        const res = await a.get(`/api/v1/posts/${id}`, who);
        assert.equal(res.statusCode, 404);
        assert.deepEqual(res.json(), missing.json());
        assert.deepEqual(
          (await a.put(`/api/v1/posts/${id}/like`, who)).json(),
          missing.json() && (await a.put(`/api/v1/posts/06h1bpwe7sxkqzmc7ps4rnjef0/like`, who)).json(),
        );
        assert.equal((await a.get(`/api/v1/posts/${id}/comments`, who)).statusCode, 404);
      }
      // A blocked person cannot comment either.
      assert.equal((await a.post(`/api/v1/posts/${pub}/comments`, blocked, { body: 'hi' })).statusCode, 404);

      // Followers-only media is served through signed grants; public media by stable URL.
      const folItem = (await a.get(`/api/v1/posts/${fol}`, follower)).json();
      assert.match(folItem.playUrl, /[?&]g=/);
      const pubItem = (await a.get(`/api/v1/posts/${pub}`, follower)).json();
      assert.doesNotMatch(pubItem.playUrl, /[?&]g=/);

      // Unblocking restores the public view; the block cut the follow, so followers-only needs a new follow.
      assert.equal((await a.del(`/api/v1/blocks/${blocked.handle}`, creator)).statusCode, 200);
      await deliver(r);
      expectAll(await seen(blocked), [pub], 'an unblocked former follower', []);
      await follow(r, blocked, creator);
      expectAll(await seen(blocked), [pub, fol], 'an unblocked person who follows again');
      assert.deepEqual(
        (await a.get('/api/v1/me/blocks', blocker)).json().items.map((b: any) => b.handle),
        [creator.handle],
      );
    });

    it('the Following feed merges realms, newest first, with a working cursor', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const me = await signUp(r, { country: 'US' });
      const eu = await signUp(r, { country: 'DE' });
      const intl = await signUp(r, { country: 'IN' });
      const us = await signUp(r, { country: 'US' });
      const notFollowed = await signUp(r, { country: 'DE' });
      for (const who of [eu, intl, us]) await follow(r, me, who);
      const posted: string[] = [];
      for (let i = 0; i < 7; i++) {
        const who = [eu, intl, us][i % 3]!;
        posted.push((await postVideo(r, who, { caption: `post ${i}` })).videoId);
      }
      await postVideo(r, notFollowed, { caption: 'not for me' });
      await deliver(r);
      const a = api(r);
      const got: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await a.get(`/api/v1/feed/following?limit=3${cursor ? `&cursor=${cursor}` : ''}`, me);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        for (const item of body.items) {
          got.push(item.id);
          assert.ok(item.playUrl && item.posterUrl, 'each item has a playable URL and a poster');
        }
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.deepEqual(got, [...posted].reverse(), 'newest first, across realms, nothing repeated or missing');
      assert.equal(pages, 3);
      assert.equal((await a.get('/api/v1/feed/following?cursor=garbage!', me)).json().error.code, 'invalid_cursor');
      assert.equal((await a.get('/api/v1/feed/following')).statusCode, 401);
    });
  });
}
