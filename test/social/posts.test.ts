import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, makeVideo, postVideo } from './helpers.ts';

for (const lane of lanes()) {
  describe(`posts [${lane}]`, () => {
    it('parses #hashtags and @mentions into entities, keeps markup as plain text, and rejects bad settings', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const ana = await signUp(r, { country: 'DE' });
      const ben = await signUp(r, { country: 'US' });
      const caption = `Sunset at the #Beach with @${ben.handle}! <script>alert(1)</script> #beach #sommer_2026`;
      const { post, videoId } = await postVideo(r, ana, { caption, commentPolicy: 'followers', allowDownload: false });
      assert.equal(post.caption, caption, 'caption is stored and returned verbatim, as text');
      assert.deepEqual(post.hashtags, ['beach', 'sommer_2026']);
      const mention = post.entities.find((e: any) => e.type === 'mention');
      assert.equal(mention.userId, ben.userId);
      assert.equal(mention.realm, 'us');
      assert.equal(caption.slice(mention.start, mention.end), `@${ben.handle}`);
      const tag = post.entities.find((e: any) => e.type === 'hashtag');
      assert.equal(caption.slice(tag.start, tag.end), '#Beach');
      assert.equal(post.commentPolicy, 'followers');
      assert.equal(post.allowDownload, false);
      assert.equal(post.realm, 'eu');
      assert.match(post.playUrl, /^\/media\/eu\/users\/.+\/540\.mp4$/);
      assert.match(post.posterUrl, /poster\.jpg$/);

      const a = api(r);
      const again = await a.post('/api/v1/posts', ana, { videoId });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'already_posted');
      const notMine = await a.post('/api/v1/posts', ben, { videoId: (await makeVideo(r, ana)).videoId });
      assert.equal(notMine.statusCode, 404, 'another person’s video is as unknown as a missing one');
      const tooLong = await a.post('/api/v1/posts', ana, { videoId: (await makeVideo(r, ana)).videoId, caption: 'x'.repeat(2201) });
      assert.equal(tooLong.statusCode, 400);
      assert.equal(tooLong.json().error.code, 'caption_too_long');
      const badAudience = await a.post('/api/v1/posts', ana, { videoId: (await makeVideo(r, ana)).videoId, audience: 'friends' });
      assert.equal(badAudience.statusCode, 400);
      assert.equal(badAudience.json().error.code, 'invalid_request');

      // The mention reaches ben's realm as a notification.
      await deliver(r);
      const n = (await a.get('/api/v1/me/notifications', ben)).json();
      assert.equal(n.items[0].kind, 'mention');
      assert.equal(n.items[0].actors[0].handle, ana.handle);
      assert.equal(n.items[0].videoId, videoId);
    });

    it('edits caption and settings; private posts leave every list and other realms; the owner still sees them', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const ana = await signUp(r, { country: 'DE' });
      const ben = await signUp(r, { country: 'US' });
      const { videoId } = await postVideo(r, ana, { caption: 'first #one' });
      await deliver(r);
      const a = api(r);
      assert.equal((await a.get(`/api/v1/posts/${videoId}`, ben)).statusCode, 200);
      const edited = await a.patch(`/api/v1/posts/${videoId}`, ana, { caption: 'second #two', duetPolicy: 'no_one' });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.deepEqual(edited.json().hashtags, ['two']);
      await deliver(r);
      const seen = (await a.get(`/api/v1/posts/${videoId}`, ben)).json();
      assert.equal(seen.caption, 'second #two');
      assert.equal(seen.duetPolicy, 'no_one');
      assert.equal((await a.get('/api/v1/hashtags/one', ben)).json().items.length, 0);
      assert.equal((await a.get('/api/v1/hashtags/two', ben)).json().items.length, 1);

      assert.equal((await a.patch(`/api/v1/posts/${videoId}`, ben, { caption: 'hijack' })).statusCode, 404);

      await a.patch(`/api/v1/posts/${videoId}`, ana, { audience: 'private' });
      await deliver(r);
      assert.equal((await a.get(`/api/v1/posts/${videoId}`, ben)).statusCode, 404);
      const usRows = await r.reelm.realms.get('us').db.selectFrom('post_index').select('video_id').where('video_id', '=', videoId).execute();
      assert.equal(usRows.length, 0, 'a private post is withdrawn from other realms');
      assert.equal((await a.get(`/api/v1/posts/${videoId}`, ana)).statusCode, 200, 'the owner sees their private post');
      assert.equal((await a.get(`/api/v1/users/${ana.handle}/videos`, ana)).json().items.length, 1);
      assert.equal((await a.get(`/api/v1/users/${ana.handle}/videos`, ben)).json().items.length, 0);
      assert.equal((await a.get(`/api/v1/users/${ana.handle}/videos`)).json().items.length, 0);
    });

    it('deleting a post removes its media files and every derived row in every realm', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const ana = await signUp(r, { country: 'DE' });
      const ben = await signUp(r, { country: 'US' });
      const cat = await signUp(r, { country: 'DE' });
      const { videoId } = await postVideo(r, ana, { caption: `hello #gone @${ben.handle}` }, { soundTitle: 'Gone Song' });
      await deliver(r);
      const a = api(r);
      for (const who of [ben, cat]) {
        assert.equal((await a.put(`/api/v1/posts/${videoId}/like`, who)).statusCode, 200);
        assert.equal((await a.put(`/api/v1/posts/${videoId}/favorite`, who, {})).statusCode, 200);
        assert.equal((await a.post(`/api/v1/posts/${videoId}/comments`, who, { body: 'nice' })).statusCode, 201);
        assert.equal((await a.post(`/api/v1/posts/${videoId}/shares`, who, { channel: 'link' })).statusCode, 201);
        const w = await a.post('/api/v1/watch-events', who, {
          events: [
            { clientEventId: `ev-${who.handle}`, videoId, watchedMs: 5000, durationMs: 9000, completed: false, replays: 0, playedAt: new Date().toISOString() },
          ],
        });
        assert.equal(w.json().stored, 1);
      }
      await deliver(r);
      const eu = r.reelm.realms.get('eu');
      assert.ok((await eu.blobs.stat(`users/${ana.userId}/videos/${videoId}/540.mp4`)) !== undefined);

      assert.equal((await a.del(`/api/v1/posts/${videoId}`, ben)).statusCode, 404, 'only the owner deletes');
      assert.equal((await a.del(`/api/v1/posts/${videoId}`, ana)).statusCode, 204);
      await deliver(r);

      const tables = [
        'posts',
        'post_index',
        'post_hashtags',
        'post_search',
        'likes',
        'comments',
        'favorites',
        'shares',
        'watch_events',
        'notifications',
        'video_engagements',
        'video_comments',
      ] as const;
      for (const realm of ['eu', 'us', 'intl']) {
        const db = r.reelm.realms.get(realm).db as any;
        for (const table of tables) {
          const rows = await db.selectFrom(table).selectAll().where('video_id', '=', videoId).execute();
          assert.equal(rows.length, 0, `${realm}.${table} still has rows of the deleted post`);
        }
      }
      assert.equal((await eu.db.selectFrom('videos').select('id').where('id', '=', videoId).execute()).length, 0);
      assert.equal((await eu.db.selectFrom('sounds').select('id').where('video_id', '=', videoId).execute()).length, 0);
      const left: string[] = [];
      for await (const b of eu.blobs.list(`users/${ana.userId}/`)) left.push(b.key);
      assert.deepEqual(left, [], 'the video’s files and its sound’s audio are gone');
      assert.equal((await a.get(`/api/v1/posts/${videoId}`, ben)).statusCode, 404);
    });
  });
}
