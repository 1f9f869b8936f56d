import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { composition } from '../../src/composition.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, follow, postVideo } from './helpers.ts';
import { publishPendingStats } from '../../src/social/posts.ts';

const realmTables = composition.schema.tables;

/** Every value of every column of every table of a realm, as text (for "did X leak here?" checks). */
async function allValues(r: TestReelm, realm: string): Promise<string[]> {
  const db = r.reelm.realms.get(realm).db;
  const out: string[] = [];
  for (const t of realmTables) {
    const rows = await sql.raw<Record<string, unknown>>(`select * from ${t.name}`).execute(db);
    for (const row of rows.rows) for (const v of Object.values(row)) if (v !== null && v !== undefined) out.push(String(v));
  }
  return out;
}

for (const lane of lanes()) {
  describe(`engagement across realms [${lane}]`, () => {
    it('a us person likes and comments on an eu video: stored in us, the creator sees the public comment and exact counts, no protected field reaches eu', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US', email: `canary-${Date.now()}@example.com`, birthDate: '1987-03-21' });
      const other = await signUp(r, { country: 'FR' });
      assert.equal(creator.realm, 'eu');
      assert.equal(fan.realm, 'us');
      const { videoId } = await postVideo(r, creator, { caption: 'alpine lake #hike' });
      await deliver(r);
      const a = api(r);

      assert.equal((await a.put(`/api/v1/posts/${videoId}/like`, fan)).statusCode, 200);
      assert.equal((await a.put(`/api/v1/posts/${videoId}/like`, fan)).statusCode, 200, 'liking twice is liking once');
      assert.equal((await a.put(`/api/v1/posts/${videoId}/like`, other)).statusCode, 200);
      const c = await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: 'Wow, <b>so</b> blue! #hike' });
      assert.equal(c.statusCode, 201, c.body);
      const commentId = c.json().id;

      // The fan's own activity is in us, and only in us.
      const us = r.reelm.realms.get('us').db;
      const eu = r.reelm.realms.get('eu').db;
      assert.equal((await us.selectFrom('likes').selectAll().where('user_id', '=', fan.userId).execute()).length, 1);
      assert.equal((await us.selectFrom('comments').selectAll().where('author_id', '=', fan.userId).execute()).length, 1);
      assert.equal((await eu.selectFrom('likes').selectAll().where('user_id', '=', fan.userId).execute()).length, 0);
      assert.equal((await eu.selectFrom('comments').selectAll().where('author_id', '=', fan.userId).execute()).length, 0);

      await deliver(r);
      // The creator sees exact counts and the public comment with the fan's public handle.
      const post = (await a.get(`/api/v1/posts/${videoId}`, creator)).json();
      assert.equal(post.counts.likes, 2);
      assert.equal(post.counts.comments, 1);
      const comments = (await a.get(`/api/v1/posts/${videoId}/comments`, creator)).json();
      assert.equal(comments.items.length, 1);
      assert.equal(comments.items[0].id, commentId);
      assert.equal(comments.items[0].author.handle, fan.handle);
      assert.equal(comments.items[0].body, 'Wow, <b>so</b> blue! #hike', 'comment text is returned as text, with entities to render it');
      assert.equal(comments.items[0].entities[0].tag, 'hike');

      // Nothing protected about the fan is in eu: not their email, birth date or country, nor their watch/like rows.
      const fanRow = await us.selectFrom('users').selectAll().where('id', '=', fan.userId).executeTakeFirstOrThrow();
      const euValues = await allValues(r, 'eu');
      const protectedUserColumns = Object.entries(realmTables.find((x) => x.name === 'users')!.columns)
        .filter(([, c]) => c === 'protected')
        .map(([n]) => n);
      for (const col of protectedUserColumns) {
        const v = String((fanRow as any)[col]);
        assert.ok(!euValues.some((x) => x.includes(v) && v.length > 3), `protected users.${col} of the us person is in eu`);
      }
      assert.ok(!euValues.some((x) => x.includes(fanRow.email)), 'email leaked');
      assert.ok(!euValues.some((x) => x.includes(fanRow.birth_date)), 'birth date leaked');
      // …and the eu rows about the fan are only of replica tables, holding public/operational columns.
      for (const t of realmTables) {
        if (t.kind !== 'replica') continue;
        for (const [col, cls] of Object.entries(t.columns)) assert.notEqual(cls, 'protected', `${t.name}.${col}`);
      }

      // Exact counts: unlike and delete the comment; counts and public copies follow.
      assert.equal((await a.del(`/api/v1/posts/${videoId}/like`, fan)).statusCode, 200);
      assert.equal((await a.del(`/api/v1/comments/${commentId}`, fan)).statusCode, 204);
      await deliver(r);
      const after = (await a.get(`/api/v1/posts/${videoId}`, creator)).json();
      assert.equal(after.counts.likes, 1);
      assert.equal(after.counts.comments, 0);
      assert.equal((await eu.selectFrom('video_comments').selectAll().where('id', '=', commentId).execute()).length, 0);
      assert.equal((await eu.selectFrom('video_engagements').selectAll().where('actor_id', '=', fan.userId).execute()).length, 0);
      assert.equal((await us.selectFrom('comments').selectAll().where('id', '=', commentId).execute()).length, 0);
      // The creator's like notification from the fan is withdrawn; the other one stays.
      const notes = (await a.get('/api/v1/me/notifications', creator)).json();
      const likes = notes.items.find((n: any) => n.kind === 'like');
      assert.equal(likes.count, 1);
      assert.equal(likes.actors[0].handle, other.handle);

      // Other realms' lists get the counts too, eventually (social.post_stats).
      await publishPendingStats(r.reelm, r.reelm.realms.get('eu'));
      await deliver(r);
      const seenInUs = await us.selectFrom('post_index').select(['like_count', 'comment_count']).where('video_id', '=', videoId).executeTakeFirstOrThrow();
      assert.deepEqual({ ...seenInUs }, { like_count: 1, comment_count: 0 });
    });

    it('replies, comment likes, pinning, creator deletion and comment permissions', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US' });
      const stranger = await signUp(r, { country: 'BR' });
      const { videoId } = await postVideo(r, creator, { caption: 'talk to me' });
      await deliver(r);
      const a = api(r);
      const top = (await a.post(`/api/v1/posts/${videoId}/comments`, fan, { body: 'first!' })).json().id;
      await deliver(r);
      const reply = await a.post(`/api/v1/posts/${videoId}/comments`, creator, { body: `thanks @${fan.handle}`, parentId: top });
      assert.equal(reply.statusCode, 201);
      await deliver(r);
      // A reply to a reply joins the same thread (one level).
      const nested = (await a.post(`/api/v1/posts/${videoId}/comments`, stranger, { body: 'me too', parentId: reply.json().id })).json().id;
      await deliver(r);
      const thread = (await a.get(`/api/v1/posts/${videoId}/comments?parentId=${top}`, fan)).json();
      assert.deepEqual(thread.items.map((c: any) => c.id).sort(), [reply.json().id, nested].sort());
      const tops = (await a.get(`/api/v1/posts/${videoId}/comments`, fan)).json();
      assert.equal(tops.items.length, 1);
      assert.equal(tops.items[0].replyCount, 2);

      // The fan (in us) is told about the reply and the mention.
      const fanNotes = (await a.get('/api/v1/me/notifications', fan)).json();
      assert.ok(
        fanNotes.items.some((n: any) => n.kind === 'reply' || n.kind === 'mention'),
        JSON.stringify(fanNotes),
      );

      // Comment likes are counted on the video's realm.
      assert.equal((await a.put(`/api/v1/posts/${videoId}/comments/${top}/like`, stranger)).statusCode, 200);
      assert.equal((await a.put(`/api/v1/posts/${videoId}/comments/${top}/like`, creator)).statusCode, 200);
      await deliver(r);
      const liked = (await a.get(`/api/v1/posts/${videoId}/comments`, stranger)).json().items[0];
      assert.equal(liked.likeCount, 2);
      assert.equal(liked.likedByMe, true);

      // Pinning: only the creator, only top-level.
      assert.equal((await a.put(`/api/v1/posts/${videoId}/comments/${top}/pin`, fan)).statusCode, 404);
      assert.equal((await a.put(`/api/v1/posts/${videoId}/comments/${nested}/pin`, creator)).statusCode, 400);
      const second = (await a.post(`/api/v1/posts/${videoId}/comments`, stranger, { body: 'second' })).json().id;
      await deliver(r);
      assert.equal((await a.put(`/api/v1/posts/${videoId}/comments/${second}/pin`, creator)).statusCode, 200);
      assert.equal((await a.get(`/api/v1/posts/${videoId}/comments`, fan)).json().items[0].id, second, 'the pinned comment comes first');

      // The creator deletes a fan's thread: gone from eu and from the authors' realms, replies included.
      assert.equal((await a.del(`/api/v1/comments/${top}`, stranger)).statusCode, 404, 'a stranger cannot delete it');
      assert.equal((await a.del(`/api/v1/comments/${top}`, creator)).statusCode, 204);
      await deliver(r);
      assert.equal((await r.reelm.realms.get('us').db.selectFrom('comments').select('id').where('id', '=', top).execute()).length, 0);
      assert.equal((await r.reelm.realms.get('intl').db.selectFrom('comments').select('id').where('id', '=', nested).execute()).length, 0);
      assert.equal((await a.get(`/api/v1/posts/${videoId}`, creator)).json().counts.comments, 1);

      // Permissions: followers only, then no one.
      await a.patch(`/api/v1/posts/${videoId}`, creator, { commentPolicy: 'followers' });
      await deliver(r);
      const refused = await a.post(`/api/v1/posts/${videoId}/comments`, stranger, { body: 'let me in' });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().error.code, 'comments_followers_only');
      await follow(r, stranger, creator);
      assert.equal((await a.post(`/api/v1/posts/${videoId}/comments`, stranger, { body: 'now I follow' })).statusCode, 201);
      await a.patch(`/api/v1/posts/${videoId}`, creator, { commentPolicy: 'no_one' });
      await deliver(r);
      assert.equal((await a.post(`/api/v1/posts/${videoId}/comments`, stranger, { body: 'hello?' })).json().error.code, 'comments_off');
      const empty = await a.post(`/api/v1/posts/${videoId}/comments`, creator, { body: '   ' });
      assert.equal(empty.json().error.code, 'empty_comment');
    });

    it('favorites in collections and shares: private to the person, counted on the video', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const fan = await signUp(r, { country: 'US' });
      const { videoId } = await postVideo(r, creator, { caption: 'save me' });
      await deliver(r);
      const a = api(r);
      const col = await a.post('/api/v1/me/collections', fan, { name: 'Recipes' });
      assert.equal(col.statusCode, 201);
      assert.equal((await a.post('/api/v1/me/collections', fan, { name: 'Recipes' })).json().error.code, 'collection_exists');
      assert.equal((await a.put(`/api/v1/posts/${videoId}/favorite`, fan, { collectionId: col.json().id })).statusCode, 200);
      assert.equal((await a.put(`/api/v1/posts/${videoId}/favorite`, fan, { collectionId: 'nope' })).statusCode, 404);
      const favs = (await a.get(`/api/v1/me/favorites?collectionId=${col.json().id}`, fan)).json();
      assert.deepEqual(
        favs.items.map((f: any) => f.videoId),
        [videoId],
      );
      assert.equal((await a.get('/api/v1/me/collections', fan)).json().items[0].count, 1);
      const s1 = await a.post(`/api/v1/posts/${videoId}/shares`, fan, { channel: 'link' });
      assert.equal(s1.statusCode, 201);
      assert.match(s1.json().shareUrl, new RegExp(`/v/${videoId}$`));
      // the same person sharing again the same day is answered but not counted again (honest counts)
      const s2 = await a.post(`/api/v1/posts/${videoId}/shares`, fan, { channel: 'message' });
      assert.equal(s2.statusCode, 200);
      assert.equal(s2.json().counted, false);
      const friend = await signUp(r, { country: 'US' });
      assert.equal((await a.post(`/api/v1/posts/${videoId}/shares`, friend, { channel: 'message' })).statusCode, 201);
      await deliver(r);
      const eu = r.reelm.realms.get('eu').db;
      const p = await eu.selectFrom('posts').select(['favorite_count', 'share_count']).where('video_id', '=', videoId).executeTakeFirstOrThrow();
      assert.deepEqual({ ...p }, { favorite_count: 1, share_count: 2 });
      // Who saved or shared is not sent: the public copies carry no actor.
      const copies = await eu.selectFrom('video_engagements').selectAll().where('video_id', '=', videoId).execute();
      assert.ok(copies.every((c) => c.actor_id === null && c.actor_handle === null));
      assert.equal((await a.del(`/api/v1/posts/${videoId}/favorite`, fan)).statusCode, 200);
      await deliver(r);
      assert.equal((await eu.selectFrom('posts').select('favorite_count').where('video_id', '=', videoId).executeTakeFirstOrThrow()).favorite_count, 0);
    });
  });
}
