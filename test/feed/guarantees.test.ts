import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/api/app.ts';
import { openReelm } from '../../src/composition.ts';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, follow, postVideo } from '../social/helpers.ts';
import { learn, page, watch, world } from './helpers.ts';

const snapshots = async (r: Awaited<ReturnType<typeof startReelm>>, realm: string) =>
  r.reelm.realms.get(realm).db.selectFrom('feed_models').selectAll().orderBy('version').execute();

for (const lane of lanes()) {
  describe(`For You guarantees [${lane}]`, () => {
    it('never a private, followers-only (to a non-follower), blocked (either way), deleted or already shown video', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const a = api(r);
      const viewer = await signUp(r, { country: 'US' });
      const ok = await signUp(r, { country: 'DE' });
      const ok2 = await signUp(r, { country: 'US' });
      const hidden = await signUp(r, { country: 'US' });
      const blockedByViewer = await signUp(r, { country: 'FR' });
      const blocksViewer = await signUp(r, { country: 'BR' });
      const followed = await signUp(r, { country: 'US' });
      await follow(r, viewer, followed);
      const good = new Set<string>();
      for (let i = 0; i < 2; i++) good.add((await postVideo(r, ok, { caption: `fine ${i} #x` })).videoId);
      for (let i = 0; i < 2; i++) good.add((await postVideo(r, ok2, { caption: `also fine ${i} #x` })).videoId);
      good.add((await postVideo(r, followed, { caption: 'for followers #x', audience: 'followers' })).videoId);
      const bad = new Set<string>();
      bad.add((await postVideo(r, hidden, { caption: 'private #x', audience: 'private' })).videoId);
      bad.add((await postVideo(r, hidden, { caption: 'followers #x', audience: 'followers' })).videoId);
      bad.add((await postVideo(r, blockedByViewer, { caption: 'b1 #x' })).videoId);
      bad.add((await postVideo(r, blocksViewer, { caption: 'b2 #x' })).videoId);
      const deleted = (await postVideo(r, ok, { caption: 'deleted #x' })).videoId;
      bad.add(deleted);
      await deliver(r);
      assert.equal((await a.put(`/api/v1/blocks/${blockedByViewer.handle}`, viewer)).statusCode < 300, true);
      assert.equal((await a.put(`/api/v1/blocks/${viewer.handle}`, blocksViewer)).statusCode < 300, true);
      assert.equal((await a.del(`/api/v1/posts/${deleted}`, ok)).statusCode < 300, true);
      await deliver(r);
      // Make the bad ones as attractive as possible: popular, and co-engaged with what the viewer likes.
      const fan = await signUp(r, { country: 'US' });
      await watch(
        r,
        fan,
        [...bad].filter((id) => id !== deleted && id !== [...bad][0] && id !== [...bad][1]),
      );
      await learn(r);
      const shown: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 5; i++) {
        const p = await page(r, viewer, cursor, 2);
        shown.push(...p.items.map((x) => x.id));
        cursor = p.nextCursor;
        if (!cursor) break;
      }
      assert.equal(new Set(shown).size, shown.length, 'a video came twice in one session');
      for (const id of shown) assert.ok(!bad.has(id), `must not show ${id}`);
      assert.deepEqual(new Set(shown), good, 'every allowed video is shown once');
      // A refresh (new session) does not repeat what was shown, unless asked.
      const again = await page(r, viewer, null, 10);
      assert.equal(again.items.length, 0);
      const asked = await page(r, viewer, null, 10, '&includeSeen=true');
      assert.deepEqual(new Set(asked.items.map((x) => x.id)), good);
      // Asking for the same page again answers the same page.
      const p1 = await page(r, viewer, null, 2, '&includeSeen=true');
      const p2 = await page(r, viewer, p1.nextCursor, 2, '&includeSeen=true');
      const p2again = await page(r, viewer, p1.nextCursor, 2, '&includeSeen=true');
      assert.deepEqual(
        p2again.items.map((x) => x.id),
        p2.items.map((x) => x.id),
      );
    });

    it('a session ranked before a post was deleted or its creator blocked does not show it on later pages', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creators = [await signUp(r), await signUp(r), await signUp(r), await signUp(r)];
      await world(r, creators, ['s'], 2);
      const viewer = await signUp(r);
      const first = await page(r, viewer, null, 2); // ranks the session
      const onFirst = new Set(first.items.map((x) => x.author.id));
      const [deleter, blocked] = creators.filter((c) => !onFirst.has(c.userId));
      const mine = (await api(r).get(`/api/v1/users/${deleter!.handle}/videos`, viewer)).json().items.map((x: { id: string }) => x.id);
      assert.ok(mine.length > 0);
      for (const id of mine) assert.ok((await api(r).del(`/api/v1/posts/${id}`, deleter)).statusCode < 300);
      assert.ok((await api(r).put(`/api/v1/blocks/${blocked!.handle}`, viewer)).statusCode < 300);
      await deliver(r);
      const later: string[] = [];
      for (let cursor = first.nextCursor, i = 0; cursor && i < 5; i++) {
        const p = await page(r, viewer, cursor, 2);
        for (const x of p.items) later.push(x.author.id);
        cursor = p.nextCursor;
      }
      assert.ok(later.length > 0, 'the other creators still fill pages');
      assert.ok(!later.includes(deleter!.userId), 'a deleted post came back');
      assert.ok(!later.includes(blocked!.userId), 'a blocked account came back');
    });

    it('a person’s events change only their home realm’s model; other realms’ snapshots are byte-identical', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creators = [await signUp(r, { country: 'DE' }), await signUp(r, { country: 'BR' })];
      const tagOf = await world(r, creators, ['k'], 3);
      const eu = await signUp(r, { country: 'DE' });
      await watch(r, eu, [...tagOf.keys()].slice(0, 2)); // gives eu a model first
      await learn(r);
      const before = { eu: await snapshots(r, 'eu'), intl: await snapshots(r, 'intl') };
      assert.ok(before.eu.length > 0);
      const us = await signUp(r, { country: 'US' });
      const usBefore = (await snapshots(r, 'us')).length;
      await watch(r, us, [...tagOf.keys()]);
      await deliver(r);
      await learn(r);
      const after = { eu: await snapshots(r, 'eu'), intl: await snapshots(r, 'intl') };
      assert.deepEqual(after, before);
      const usAfter = await snapshots(r, 'us');
      assert.ok(usAfter.length > usBefore, 'the us model learned');
      // Likes, favorites and shares train it too (a repeated like does not).
      const version = async () => Math.max(...(await snapshots(r, 'us')).map((x) => Number(x.version)));
      const [v1, v2] = [...tagOf.keys()];
      for (const [method, url] of [
        ['PUT', `/api/v1/posts/${v1}/like`],
        ['PUT', `/api/v1/posts/${v1}/favorite`],
        ['POST', `/api/v1/posts/${v2}/shares`],
      ] as const) {
        const v = await version();
        const res = await r.app.inject({ method, url, headers: us.headers, payload: method === 'POST' ? { channel: 'link' } : {} });
        assert.ok(res.statusCode < 300, res.body);
        assert.equal(await version(), v, 'the request itself trains nothing');
        assert.equal(await learn(r), 1);
        assert.equal(await version(), v + 1, url);
      }
      const v = await version();
      await api(r).put(`/api/v1/posts/${v1}/like`, us, {});
      assert.equal(await learn(r), 0, 'a repeated like queues nothing');
      assert.equal(await version(), v, 'a repeated like trains nothing');
      assert.deepEqual({ eu: await snapshots(r, 'eu'), intl: await snapshots(r, 'intl') }, before);
    });

    it('two API processes over the same stores serve the same ranking for the same person and cursor', async (t) => {
      const r = await startReelm(lane);
      let closeOther = async () => {};
      t.after(async () => {
        await closeOther();
        await r.close();
      });
      const creators = [await signUp(r), await signUp(r), await signUp(r)];
      const tagOf = await world(r, creators, ['m', 'n'], 3);
      const viewer = await signUp(r);
      await watch(r, viewer, [...tagOf.keys()].slice(0, 3));
      await learn(r);
      const other = await openReelm(r.config);
      const app2 = await buildApp(other, { logger: false });
      await app2.ready();
      closeOther = async () => {
        await app2.close();
        await other.close();
      };
      const second = { ...r, reelm: other, app: app2 };
      const first = await page(r, viewer, null, 4);
      const a = await page(r, viewer, first.nextCursor, 4);
      const b = await page(second, viewer, first.nextCursor, 4);
      assert.equal(a.items.length, 4);
      assert.deepEqual(
        b.items.map((x) => x.id),
        a.items.map((x) => x.id),
      );
      assert.equal(b.modelVersion, a.modelVersion);
      // The second process trains too; the first then serves the version it stored.
      await watch(second, viewer, [a.items[0]!.id]);
      await learn(second);
      const c = await page(r, viewer, a.nextCursor, 4);
      const d = await page(second, viewer, a.nextCursor, 4);
      assert.ok(c.modelVersion > a.modelVersion);
      assert.deepEqual(
        d.items.map((x) => x.id),
        c.items.map((x) => x.id),
      );
    });
  });
}
