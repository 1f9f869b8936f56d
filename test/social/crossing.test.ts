import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publishPendingStats } from '../../src/social/posts.ts';
import { emitFlow } from '../../src/flows/outbox.ts';
import { FlowRefused } from '../../src/flows/validate.ts';
import { projectionFromIndex } from '../../src/social/reach.ts';
import { sweepUnreachable } from '../../src/social/crossing-migration.ts';
import { flushViewRollups, VIEWS_WINDOW_MS } from '../../src/social/view-rollup.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, follow, postVideo } from './helpers.ts';

// What of a private or followers-only post crosses realms: inspected in the
// outboxes and in the other realms' tables, after the product's own code paths.

const REALMS = ['eu', 'us', 'intl'];

/** Every message the realm ever wrote for another realm (delivered rows stay in the outbox). */
async function outbox(r: TestReelm, realm: string) {
  const rows = await r.reelm.realms.get(realm).db.selectFrom('flow_outbox').select(['to_realm', 'flow', 'payload']).orderBy('seq').execute();
  return rows.filter((m) => m.to_realm !== realm);
}

/** Where a video's projection is held: realms with a post_index, post_search or post_hashtags row. */
async function holders(r: TestReelm, videoId: string) {
  const out: string[] = [];
  for (const realm of REALMS) {
    const db = r.reelm.realms.get(realm).db;
    const n =
      (await db.selectFrom('post_index').select('video_id').where('video_id', '=', videoId).execute()).length +
      (await db.selectFrom('post_search').select('video_id').where('video_id', '=', videoId).execute()).length +
      (await db.selectFrom('post_hashtags').select('video_id').where('video_id', '=', videoId).execute()).length;
    if (n) out.push(realm);
  }
  return out.sort();
}

async function unfollow(r: TestReelm, who: TestUser, whom: TestUser) {
  const res = await api(r).del(`/api/v1/users/${whom.handle}/follow`, who);
  assert.ok(res.statusCode < 300, res.body);
  await deliver(r);
  await deliver(r); // the creator's realm answers the unfollow with its own messages
}

async function excerpts(r: TestReelm, who: TestUser) {
  const rows = await r.reelm.realms.get(who.realm).db.selectFrom('notifications').select(['kind', 'excerpt']).where('user_id', '=', who.userId).execute();
  return rows.map((n) => `${n.kind}:${n.excerpt}`).sort();
}

for (const lane of lanes()) {
  describe(`private and followers-only content crossing realms [${lane}]`, () => {
    it('a private post never reaches another realm’s outbox; turning private sends only a withdrawal', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' }); // eu
      await signUp(r, { country: 'US' });
      const a = api(r);
      const priv = await postVideo(r, creator, { caption: 'okapisecret #hidden', audience: 'private' }, { soundTitle: 'Okapi Hymn' });
      await deliver(r);
      await publishPendingStats(r.reelm, r.reelm.realms.get('eu'));
      assert.deepEqual(await outbox(r, 'eu'), [], 'a private post writes nothing for another realm');
      assert.deepEqual(await holders(r, priv.videoId), ['eu']);
      // The flow layer itself refuses a private projection for another realm, whoever emits it.
      const eu = r.reelm.realms.get('eu');
      const own = await eu.db.selectFrom('post_index').selectAll().where('video_id', '=', priv.videoId).executeTakeFirstOrThrow();
      await assert.rejects(
        eu.db.transaction().execute((trx) => emitFlow(eu, trx, { flow: 'social.post', to: 'us', payload: { ...projectionFromIndex(own) } })),
        (err: unknown) => err instanceof FlowRefused && err.reason === 'stays_in_realm',
      );
      assert.deepEqual(await outbox(r, 'eu'), []);

      const pub = await postVideo(r, creator, { caption: 'tapirsecret #shown', audience: 'public' }, { soundTitle: 'Tapir Song' });
      await deliver(r);
      assert.deepEqual(await holders(r, pub.videoId), REALMS.slice().sort());
      const before = (await outbox(r, 'eu')).length;
      const res = await a.patch(`/api/v1/posts/${pub.videoId}`, creator, { audience: 'private', caption: 'tapirsecret edited while private' });
      assert.equal(res.statusCode, 200, res.body);
      await deliver(r);
      const sent = (await outbox(r, 'eu')).slice(before);
      assert.deepEqual(sent.map((m) => `${m.to_realm}:${m.flow}`).sort(), ['intl:social.post_withdrawn', 'us:social.post_withdrawn']);
      for (const m of sent) assert.deepEqual(JSON.parse(m.payload), { video_id: pub.videoId });
      assert.deepEqual(await holders(r, pub.videoId), ['eu'], 'withdrawn from the index and search of every other realm');
      // Editing it while private sends nothing at all.
      await a.patch(`/api/v1/posts/${pub.videoId}`, creator, { caption: 'tapirsecret again' });
      await deliver(r);
      assert.equal((await outbox(r, 'eu')).length, before + 2);
      for (const m of await outbox(r, 'eu')) assert.doesNotMatch(m.payload, /okapisecret|Okapi Hymn|edited while private|again/);
    });

    it('followers-only content reaches only realms with a follower, and leaves when they stop being allowed', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' }); // eu
      const us1 = await signUp(r, { country: 'US' });
      const us2 = await signUp(r, { country: 'US' });
      const jp = await signUp(r, { country: 'JP' }); // intl, not a follower yet
      const a = api(r);
      await follow(r, us1, creator);
      await follow(r, us2, creator);
      const fo = await postVideo(r, creator, { caption: 'quokkaparade #marsupial', audience: 'followers' }, { soundTitle: 'Quokka Beat' });
      await deliver(r);
      assert.deepEqual(await holders(r, fo.videoId), ['eu', 'us']);
      assert.ok(!(await outbox(r, 'eu')).some((m) => m.to_realm === 'intl' && m.payload.includes('quokkaparade')), 'nothing for intl');
      const search = (who: TestUser) => a.get('/api/v1/search?q=quokkaparade&type=videos', who).then((x) => (x.json().items ?? x.json().videos).length);
      assert.equal(await search(us1), 1);
      assert.equal(await search(jp), 0);

      // Counts follow the same reach.
      assert.equal((await a.put(`/api/v1/posts/${fo.videoId}/like`, us1)).statusCode, 200);
      await deliver(r);
      await publishPendingStats(r.reelm, r.reelm.realms.get('eu'));
      assert.deepEqual(
        (await outbox(r, 'eu')).filter((m) => m.flow === 'social.post_stats').map((m) => m.to_realm),
        ['us'],
      );

      // A realm's first follower brings it; its last follower leaving takes it away.
      await follow(r, jp, creator);
      await deliver(r); // the creator's realm answers the follow with the projections
      assert.deepEqual(await holders(r, fo.videoId), ['eu', 'intl', 'us']);
      assert.equal(await search(jp), 1);
      await unfollow(r, us1, creator);
      assert.deepEqual(await holders(r, fo.videoId), ['eu', 'intl', 'us'], 'us still holds a follower');
      await unfollow(r, us2, creator);
      assert.deepEqual(await holders(r, fo.videoId), ['eu', 'intl']);
      assert.equal(await search(us2), 0);

      // Audience changes: public → followers leaves realms without a follower; followers → private leaves all.
      const pub = await postVideo(r, creator, { caption: 'wombatwalk #marsupial', audience: 'public' });
      await deliver(r);
      assert.deepEqual(await holders(r, pub.videoId), ['eu', 'intl', 'us']);
      await a.patch(`/api/v1/posts/${pub.videoId}`, creator, { audience: 'followers' });
      await deliver(r);
      assert.deepEqual(await holders(r, pub.videoId), ['eu', 'intl']);
      await a.patch(`/api/v1/posts/${pub.videoId}`, creator, { audience: 'private' });
      await deliver(r);
      assert.deepEqual(await holders(r, pub.videoId), ['eu']);
      await a.patch(`/api/v1/posts/${pub.videoId}`, creator, { audience: 'followers' });
      await deliver(r);
      assert.deepEqual(await holders(r, pub.videoId), ['eu', 'intl']);
    });

    it('notification excerpts reach only people who may see the post', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' }); // eu
      const fan = await signUp(r, { country: 'US' }); // follows
      const ex = await signUp(r, { country: 'US' }); // follows, comments, then unfollows
      const stranger = await signUp(r, { country: 'JP' }); // never follows
      const a = api(r);
      await follow(r, fan, creator);
      await follow(r, ex, creator);
      const fo = await postVideo(r, creator, { caption: `capybarasecret @${fan.handle} @${stranger.handle}`, audience: 'followers' });
      await deliver(r);
      const parent = await a.post(`/api/v1/posts/${fo.videoId}/comments`, ex, { body: 'first!' });
      assert.equal(parent.statusCode, 201, parent.body);
      await deliver(r);
      await unfollow(r, ex, creator);
      const reply = await a.post(`/api/v1/posts/${fo.videoId}/comments`, fan, {
        body: `replysecret @${stranger.handle}`,
        parentId: parent.json().id,
      });
      assert.equal(reply.statusCode, 201, reply.body);
      await deliver(r);

      assert.deepEqual(await excerpts(r, fan), [`mention:capybarasecret @${fan.handle} @${stranger.handle}`], 'a follower reads the caption');
      assert.deepEqual(await excerpts(r, stranger), ['mention:', 'mention:'], 'a mentioned non-follower gets content-free notifications');
      assert.deepEqual(await excerpts(r, ex), ['reply:'], 'a reply to someone who may no longer see the post carries no text');
      const list = (await a.get('/api/v1/me/notifications', stranger)).json();
      assert.doesNotMatch(JSON.stringify(list), /capybarasecret|replysecret/);
      for (const m of await outbox(r, 'eu')) if (m.to_realm === 'intl') assert.doesNotMatch(m.payload, /capybarasecret|replysecret/);
      assert.ok((await excerpts(r, creator)).includes(`comment:replysecret @${stranger.handle}`), 'the creator reads comments on their post');

      // A public post's mention carries its caption, until the audience narrows: then it is blanked for
      // whoever may no longer see it, in a realm it leaves (intl) and in one that keeps it (us, for ex).
      const cap = `agoutinews @${stranger.handle} @${ex.handle} @${fan.handle}`;
      const pub = await postVideo(r, creator, { caption: cap });
      await deliver(r);
      assert.ok((await excerpts(r, stranger)).includes(`mention:${cap}`));
      assert.ok((await excerpts(r, ex)).includes(`mention:${cap}`));
      await a.patch(`/api/v1/posts/${pub.videoId}`, creator, { audience: 'followers' });
      await deliver(r);
      assert.deepEqual(await excerpts(r, stranger), ['mention:', 'mention:', 'mention:']);
      assert.deepEqual(await excerpts(r, ex), ['mention:', 'reply:']);
      assert.ok((await excerpts(r, fan)).includes(`mention:${cap}`), 'a follower still reads it');
      // Unfollowing takes the excerpts of followers-only posts away from the person at once.
      await unfollow(r, fan, creator);
      assert.deepEqual(await excerpts(r, fan), ['mention:', 'mention:']);
    });

    it('social.views never carries one viewer’s watch time; rollups over viewers and time converge', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' }); // eu
      const viewers = [await signUp(r, { country: 'US' }), await signUp(r, { country: 'US' }), await signUp(r, { country: 'US' })];
      const { videoId } = await postVideo(r, creator);
      await deliver(r);
      const a = api(r);
      const watch = (who: TestUser, id: string, watchedMs: number, completed = false) =>
        a.post('/api/v1/watch-events', who, {
          events: [{ clientEventId: `${id}-play-0001`, videoId, watchedMs, durationMs: 9000, completed, replays: 0, playedAt: new Date().toISOString() }],
        });
      const views = async () => (await outbox(r, 'us')).filter((m) => m.flow === 'social.views').map((m) => JSON.parse(m.payload).videos);
      const us = r.reelm.realms.get('us');
      assert.equal((await watch(viewers[0]!, 'a', 7001, true)).statusCode, 200);
      assert.deepEqual(await views(), [], 'one person’s batch is not sent');
      assert.equal(await flushViewRollups(us), 0, 'one viewer, inside the window: nothing is due');
      // After the window the plays cross (the public view count converges), the watch time does not.
      assert.equal(await flushViewRollups(us, Date.now() + VIEWS_WINDOW_MS), 1);
      assert.deepEqual(await views(), [[{ video_id: videoId, plays: 1, watch_ms_total: 0, completions: 0 }]]);
      await watch(viewers[1]!, 'b', 5002);
      await watch(viewers[1]!, 'c', 3003, true);
      assert.equal(await flushViewRollups(us), 0, 'two distinct viewers are not enough');
      await watch(viewers[2]!, 'd', 4004);
      assert.equal(await flushViewRollups(us), 1, 'a third viewer completes the rollup at once');
      const sent = await views();
      assert.deepEqual(sent[1], [{ video_id: videoId, plays: 2, watch_ms_total: 7001 + 5002 + 3003 + 4004, completions: 2 }]);
      assert.equal(await flushViewRollups(us, Date.now() + VIEWS_WINDOW_MS), 0, 'nothing left to report');
      await deliver(r);
      const p = await r.reelm.realms
        .get('eu')
        .db.selectFrom('posts')
        .select(['view_count', 'watch_ms', 'completion_count'])
        .where('video_id', '=', videoId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [Number(p.view_count), Number(p.watch_ms), Number(p.completion_count)],
        [3, 19010, 2],
        'viewer b’s two plays are one view (view-once.ts)',
      );
    });

    it('a realm that already holds content under the old rules sheds it when migrated (0023_social_crossing)', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' }); // eu
      const fan = await signUp(r, { country: 'US' });
      const stranger = await signUp(r, { country: 'JP' });
      await follow(r, fan, creator);
      const a = await postVideo(r, creator, { caption: `bilbysecret @${stranger.handle}` });
      const b = await postVideo(r, creator, { caption: `numbatsecret @${fan.handle}` });
      await deliver(r);
      // What the old rules left behind: followers-only and private projections everywhere, with excerpts.
      for (const realm of REALMS)
        await r.reelm.realms.get(realm).db.updateTable('post_index').set({ audience: 'followers' }).where('video_id', '=', a.videoId).execute();
      await r.reelm.realms.get('us').db.updateTable('post_index').set({ audience: 'private' }).where('video_id', '=', b.videoId).execute();
      assert.equal(await sweepUnreachable(r.reelm.realms.get('intl').db, 'intl'), 1);
      assert.equal(await sweepUnreachable(r.reelm.realms.get('us').db, 'us'), 1);
      assert.equal(await sweepUnreachable(r.reelm.realms.get('eu').db, 'eu'), 0, 'the creator’s realm keeps its own posts');
      assert.deepEqual(await holders(r, a.videoId), ['eu', 'us'], 'followers-only stays only where a follower lives');
      assert.deepEqual(await holders(r, b.videoId), ['eu', 'intl']);
      assert.deepEqual(await excerpts(r, stranger), ['mention:']);
      assert.deepEqual(await excerpts(r, fan), ['mention:']);
    });
  });
}
