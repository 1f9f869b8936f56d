import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trending, MIN_DISTINCT_CREATORS } from '../../src/social/discovery.ts';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, follow, postVideo } from './helpers.ts';

for (const lane of lanes()) {
  describe(`search, pages, trending, notifications [${lane}]`, () => {
    it('search finds a caption word, a hashtag, a sound title and a handle with one typo, across realms', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const skater = await signUp(r, { country: 'DE', handle: `skaterboi${Date.now() % 1000}`, displayName: 'Kim' });
      const viewer = await signUp(r, { country: 'US' });
      await signUp(r, { country: 'US', handle: 'unrelated_person' });
      const { soundId } = await postVideo(r, skater, { caption: 'Kickflip über the Treppenstufen #halfpipe' }, { soundTitle: 'Midnight Grindrail' });
      await postVideo(r, viewer, { caption: 'my cat sleeping #catsofreelm' });
      await deliver(r);
      const a = api(r);
      const search = async (q: string, type = 'all') => {
        const res = await a.get(`/api/v1/search?q=${encodeURIComponent(q)}&type=${type}`, viewer);
        assert.equal(res.statusCode, 200, res.body);
        return res.json();
      };
      // a caption word (also by prefix, and through diacritics folding on the stored text)
      assert.equal((await search('treppenstufen')).videos[0]?.author.handle, skater.handle);
      assert.equal((await search('kickfl')).videos.length, 1, 'prefix match');
      assert.equal((await search('über kickflip')).videos.length, 1, 'several words, any order');
      assert.equal((await search('kickflip cat')).videos.length, 0, 'all words must match');
      // a hashtag
      assert.deepEqual((await search('halfp', 'hashtags')).hashtags, [{ tag: 'halfpipe', videoCount: 1 }]);
      assert.equal((await search('halfpipe', 'videos')).videos.length, 1);
      // a sound title
      assert.deepEqual((await search('grindrail', 'sounds')).sounds, [{ id: soundId, title: 'Midnight Grindrail', videoCount: 1 }]);
      // a handle with one typo (a letter dropped), found in another realm than the searcher's
      const typo = skater.handle.replace('skater', 'skatr');
      const acc = (await search(typo, 'accounts')).accounts;
      assert.equal(acc[0]?.handle, skater.handle);
      assert.equal(acc[0]?.match, 'typo');
      assert.equal(acc[0]?.realm, 'eu');
      const exact = (await search(`@${skater.handle}`, 'accounts')).accounts;
      assert.equal(exact[0].match, 'exact');
      assert.equal((await search('zzzzqqqq')).accounts.length, 0);
      // S4: query text is data, not syntax
      assert.equal((await a.get(`/api/v1/search?q=${encodeURIComponent('" OR 1=1 -- *')}`, viewer)).statusCode, 200);
      assert.equal((await a.get('/api/v1/search?q=', viewer)).statusCode, 400);
    });

    it('hashtag and sound pages, and "use this sound"', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const ana = await signUp(r, { country: 'DE' });
      const ben = await signUp(r, { country: 'US' });
      const { soundId, videoId: original } = await postVideo(r, ana, { caption: 'original #Dance' }, { soundTitle: 'Tiny Beat' });
      await deliver(r);
      const reuse = (await postVideo(r, ben, { caption: 'using it #dance #DANCE' }, { soundId: soundId! })).videoId;
      await deliver(r);
      const a = api(r);
      const tag = (await a.get('/api/v1/hashtags/%23DANCE', ben)).json();
      assert.equal(tag.tag, 'dance');
      assert.equal(tag.videoCount, 2);
      assert.deepEqual(
        tag.items.map((i: any) => i.id),
        [reuse, original],
      );
      const page = (await a.get(`/api/v1/sounds/${soundId}/videos`)).json();
      assert.equal(page.sound.title, 'Tiny Beat');
      assert.equal(page.sound.videoCount, 2);
      assert.equal(page.sound.original.videoId, original);
      assert.equal(page.sound.use.soundId, soundId);
      assert.equal((await a.get('/api/v1/sounds/06h1bpwe7sxkqzmc7ps4rnjef0/videos')).statusCode, 404);
      // A duet of ana's video by ben.
      const duet = (await postVideo(r, ben, { caption: 'side by side' }, { duetOf: { realm: 'eu', videoId: original } })).videoId;
      await deliver(r);
      // ana (eu) is told her sound was used, and her video dueted, by ben (us).
      const notes = (await a.get('/api/v1/me/notifications', ana)).json();
      assert.ok(
        notes.items.some((n: any) => n.kind === 'sound_use' && n.actors[0].handle === ben.handle),
        JSON.stringify(notes),
      );
      const duetNote = notes.items.find((n: any) => n.kind === 'duet');
      assert.equal(duetNote?.videoId, duet);
      assert.equal(duetNote?.summary, `${ben.handle} made a duet with your video`);
    });

    it('trending is time-decayed, global and per country, and hides rare country tags', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const de = [];
      for (let i = 0; i < MIN_DISTINCT_CREATORS; i++) de.push(await signUp(r, { country: 'DE' }));
      const fr = await signUp(r, { country: 'FR' });
      const us = await signUp(r, { country: 'US' });
      for (const p of de) await postVideo(r, p, { caption: '#oktoberfest' });
      await postVideo(r, fr, { caption: '#croissant' });
      await postVideo(r, us, { caption: '#oktoberfest #bbq' });
      await postVideo(r, us, { caption: '#bbq' });
      await deliver(r);
      // Age one bbq post by two days: it weighs a quarter.
      const usDb = r.reelm.realms.get('us').db;
      const twoDays = 2 * 24 * 3600 * 1000;
      const bbqOld = await usDb.selectFrom('posts').select('video_id').where('caption', '=', '#bbq').executeTakeFirstOrThrow();
      await usDb
        .updateTable('posts')
        .set({ created_at: Date.now() - twoDays })
        .where('video_id', '=', bbqOld.video_id)
        .execute();

      const global = await trending(r.reelm, 'hashtags', null);
      assert.equal(global[0]!.key, 'oktoberfest');
      assert.equal(global[0]!.videoCount, MIN_DISTINCT_CREATORS + 1);
      const bbq = global.find((g) => g.key === 'bbq')!;
      assert.ok(Math.abs(bbq.score - 1.25) < 0.01, `bbq decayed score ${bbq.score}`);
      const germany = (await api(r).get('/api/v1/trending/hashtags?country=de')).json().items;
      assert.deepEqual(
        germany.map((g: any) => g.key),
        ['oktoberfest'],
      );
      // One French creator: too few to show a French list without pointing at them.
      assert.deepEqual((await api(r).get('/api/v1/trending/hashtags?country=FR')).json().items, []);
      assert.equal((await api(r).get('/api/v1/trending/hashtags?country=Germany')).statusCode, 400);
    });

    it('notifications: new followers, likes grouped, read and unread', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r, { country: 'DE' });
      const { videoId } = await postVideo(r, creator, { caption: 'like me' });
      await deliver(r);
      const a = api(r);
      const fans = [];
      for (let i = 0; i < 12; i++) fans.push(await signUp(r, { country: ['US', 'DE', 'IN'][i % 3] }));
      for (const f of fans) assert.equal((await a.put(`/api/v1/posts/${videoId}/like`, f)).statusCode, 200);
      await follow(r, fans[0]!, creator);
      await follow(r, fans[1]!, creator);
      await deliver(r);
      const list = (await a.get('/api/v1/me/notifications', creator)).json();
      const likes = list.items.find((n: any) => n.kind === 'like');
      assert.equal(likes.count, 12);
      assert.equal(likes.summary, '12 people liked your video');
      assert.equal(likes.unread, true);
      const follows = list.items.find((n: any) => n.kind === 'follow');
      assert.equal(follows.count, 2);
      assert.equal((await a.get('/api/v1/me/notifications/unread-count', creator)).json().unread, 14);
      assert.equal((await a.post('/api/v1/me/notifications/read', creator, { groupKeys: [likes.groupKey] })).json().updated, 12);
      assert.equal((await a.get('/api/v1/me/notifications/unread-count', creator)).json().unread, 2);
      await a.post('/api/v1/me/notifications/read', creator, {});
      assert.equal((await a.get('/api/v1/me/notifications/unread-count', creator)).json().unread, 0);
      // Listing again does not duplicate the follow notifications.
      assert.equal((await a.get('/api/v1/me/notifications', creator)).json().items.find((n: any) => n.kind === 'follow').count, 2);
    });
  });
}
