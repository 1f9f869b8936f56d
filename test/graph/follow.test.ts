import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FlowDeliverer } from '../../src/flows/deliverer.ts';
import { detachFromGraph, follow } from '../../src/graph/service.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { RealmTransactor } from '../../src/realm/transactor.ts';

// The follow graph across realms, through the API. Each side's rows stay in
// its own realm; only public snapshots cross, by the graph.* flows.

async function profile(t: TestReelm, handle: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/users/${handle}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { followerCount: number; followingCount: number };
}

/** Every value of every row of every table of a realm, as one string. */
async function dumpRealm(t: TestReelm, realm: string): Promise<string> {
  const store = t.reelm.realms.get(realm);
  const tables = await store.db.introspection.getTables({ withInternalKyselyTables: true });
  const parts: string[] = [];
  for (const tb of tables) parts.push(JSON.stringify((await store.raw(`select * from ${tb.name}`)).rows));
  return parts.join('\n');
}

for (const lane of lanes()) {
  describe(`follow graph across realms (${lane})`, () => {
    let t: TestReelm;
    let ana: TestUser; // us
    let ben: TestUser; // eu
    const deliver = () => new FlowDeliverer(t.reelm).deliverOnce();
    before(async () => {
      t = await startReelm(lane);
      ana = await signUp(t, { country: 'US', email: `ana.${lane}@canary-graph.test`, birthDate: '1979-02-28' });
      ben = await signUp(t, { country: 'DE', email: `ben.${lane}@canary-graph.test`, birthDate: '1981-07-19' });
      assert.equal(ana.realm, 'us');
      assert.equal(ben.realm, 'eu');
    });
    after(() => t.close());

    test(`a person in us follows a person in eu: each side's rows only in its own realm, counts exact, no protected field crosses (${lane})`, async () => {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/users/${ben.handle}/follow`, headers: ana.headers });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { following: true, handle: ben.handle, realm: 'eu' });
      // Following twice is the same as once.
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/users/${ben.handle}/follow`, headers: ana.headers })).statusCode, 200);
      await deliver();
      assert.equal((await profile(t, ana.handle)).followingCount, 1);
      assert.equal((await profile(t, ben.handle)).followerCount, 1);

      const us = t.reelm.realms.get('us');
      const eu = t.reelm.realms.get('eu');
      assert.equal((await us.db.selectFrom('follows').selectAll().where('follower_id', '=', ana.userId).execute()).length, 1);
      assert.equal((await eu.db.selectFrom('follows').selectAll().execute()).length, 0, 'the follower’s own row stays in us');
      assert.equal((await eu.db.selectFrom('follower_edges').selectAll().where('followee_id', '=', ben.userId).execute()).length, 1);
      assert.equal((await us.db.selectFrom('follower_edges').selectAll().execute()).length, 0, 'the followee’s follower list stays in eu');

      const euDump = await dumpRealm(t, 'eu');
      const usDump = await dumpRealm(t, 'us');
      assert.ok(euDump.includes(ana.handle), 'eu holds ana’s public snapshot');
      for (const secret of [ana.email, '1979-02-28']) assert.ok(!euDump.includes(secret), `eu holds ana’s ${secret}`);
      for (const secret of [ben.email, '1981-07-19']) assert.ok(!usDump.includes(secret), `us holds ben’s ${secret}`);

      const followers = (await t.app.inject({ method: 'GET', url: `/api/v1/users/${ben.handle}/followers` })).json();
      assert.deepEqual(
        followers.items.map((i: { handle: string; realm: string }) => [i.handle, i.realm]),
        [[ana.handle, 'us']],
      );
      const following = (await t.app.inject({ method: 'GET', url: `/api/v1/users/${ana.handle}/following` })).json();
      assert.deepEqual(
        following.items.map((i: { handle: string; realm: string }) => [i.handle, i.realm]),
        [[ben.handle, 'eu']],
      );

      // Unfollow: both sides and both counts follow.
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${ben.handle}/follow`, headers: ana.headers })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${ben.handle}/follow`, headers: ana.headers })).statusCode, 200);
      await deliver();
      assert.equal((await profile(t, ana.handle)).followingCount, 0);
      assert.equal((await profile(t, ben.handle)).followerCount, 0);
      assert.equal((await eu.db.selectFrom('follower_edges').selectAll().execute()).length, 0);
    });

    test(`where I stand with an account, read in my realm: none, following, requested, none again; signed out 401 (${lane})`, async () => {
      const me = await signUp(t, { country: 'US' });
      const open = await signUp(t, { country: 'DE' });
      const closed = await signUp(t, { country: 'US' });
      await t.app.inject({ method: 'PATCH', url: '/api/v1/me/settings', headers: closed.headers, payload: { isPrivate: true } });
      const state = async (u: TestUser) => {
        const res = await t.app.inject({ method: 'GET', url: `/api/v1/users/${u.handle}/follow`, headers: me.headers });
        assert.equal(res.statusCode, 200, res.body);
        return res.json();
      };
      assert.deepEqual(await state(open), { following: false, handle: open.handle, realm: 'eu' });
      await t.app.inject({ method: 'POST', url: `/api/v1/users/${open.handle}/follow`, headers: me.headers });
      assert.deepEqual(await state(open), { following: true, handle: open.handle, realm: 'eu' });
      await t.app.inject({ method: 'POST', url: `/api/v1/users/${closed.handle}/follow`, headers: me.headers });
      assert.deepEqual(await state(closed), { following: false, requested: true, handle: closed.handle, realm: 'us' });
      await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${closed.handle}/follow`, headers: me.headers });
      await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${open.handle}/follow`, headers: me.headers });
      assert.deepEqual(await state(closed), { following: false, handle: closed.handle, realm: 'us' });
      assert.deepEqual(await state(open), { following: false, handle: open.handle, realm: 'eu' });
      assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/users/${open.handle}/follow` })).statusCode, 401);
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/users/nobody-here/follow', headers: me.headers })).statusCode, 404);
    });

    test(`refusals: self-follow 400, unknown handle 404, no session 401, bad cursor and limit 400 (${lane})`, async () => {
      const self = await t.app.inject({ method: 'POST', url: `/api/v1/users/${ana.handle}/follow`, headers: ana.headers });
      assert.equal(self.statusCode, 400);
      assert.equal(self.json().error.code, 'cannot_follow_self');
      const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/users/nobody_here_at_all/follow', headers: ana.headers });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'not_found');
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/users/nobody_here_at_all/followers' })).statusCode, 404);
      const anon = await t.app.inject({ method: 'POST', url: `/api/v1/users/${ben.handle}/follow` });
      assert.equal(anon.statusCode, 401);
      const badCursor = await t.app.inject({ method: 'GET', url: `/api/v1/users/${ben.handle}/followers?cursor=not-a-cursor` });
      assert.equal(badCursor.statusCode, 400);
      assert.equal(badCursor.json().error.code, 'invalid_cursor');
      assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/users/${ben.handle}/followers?limit=101` })).statusCode, 400);
      assert.equal((await profile(t, ana.handle)).followingCount, 0, 'nothing was stored');
    });

    test(`follower lists page with opaque cursors across realms, same-realm follows included (${lane})`, async () => {
      const fans = [
        await signUp(t, { country: 'US' }),
        await signUp(t, { country: 'FR' }),
        await signUp(t, { country: 'BR' }),
        await signUp(t, { country: 'JP' }),
        await signUp(t, { country: 'CA' }),
      ];
      for (const f of fans)
        assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/users/${ben.handle}/follow`, headers: f.headers })).statusCode, 200);
      await deliver();
      assert.equal((await profile(t, ben.handle)).followerCount, 5);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/api/v1/users/${ben.handle}/followers?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const body = (await t.app.inject({ method: 'GET', url })).json();
        assert.ok(body.items.length <= 2);
        seen.push(...body.items.map((i: { handle: string }) => i.handle));
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual([...seen].sort(), fans.map((f) => f.handle).sort());
      const eu = t.reelm.realms.get('eu');
      const fr = fans[1]!;
      assert.equal(fr.realm, 'eu');
      assert.equal(
        (await eu.db.selectFrom('follows').selectAll().where('follower_id', '=', fr.userId).execute()).length,
        1,
        'a same-realm follow took the same path',
      );
    });

    test(`a follow sent with only the directory's knowledge of the followee gets the real public snapshot back (${lane})`, async () => {
      const eve = await signUp(t, { country: 'SE', displayName: 'Eve Realname' });
      const ula = await signUp(t, { country: 'US' });
      // What a us realm process that does not serve eu knows: id, realm and the lower-cased handle.
      await follow(t.reelm.realms.get('us'), ula.userId, {
        id: eve.userId,
        realm: 'eu',
        handle: eve.handle.toLowerCase(),
        displayName: eve.handle.toLowerCase(),
        avatarKey: null,
      });
      await deliver();
      const row = await t.reelm.realms.get('us').db.selectFrom('follows').selectAll().where('follower_id', '=', ula.userId).executeTakeFirstOrThrow();
      assert.equal(row.followee_display_name, 'Eve Realname');
      assert.equal(row.followee_handle, eve.handle);
    });

    test(`deleting an account undoes its follows in every realm and keeps everyone's counts exact (${lane})`, async () => {
      const ed = await signUp(t, { country: 'SE' });
      const us1 = await signUp(t, { country: 'US' });
      const in1 = await signUp(t, { country: 'IN' });
      for (const [a, b] of [
        [us1, ed],
        [in1, ed],
        [ed, us1],
      ] as const) {
        assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/users/${b.handle}/follow`, headers: a.headers })).statusCode, 200);
      }
      await deliver();
      assert.deepEqual([(await profile(t, ed.handle)).followerCount, (await profile(t, ed.handle)).followingCount], [2, 1]);
      const eu = t.reelm.realms.get('eu');
      await eu.db.transaction().execute(async (trx) => {
        await detachFromGraph(new RealmTransactor(eu, trx), ed.userId);
        await trx.deleteFrom('users').where('id', '=', ed.userId).execute();
      });
      await t.reelm.directory.release(ed.userId);
      await deliver();
      assert.deepEqual([(await profile(t, us1.handle)).followerCount, (await profile(t, us1.handle)).followingCount], [0, 0]);
      assert.equal((await profile(t, in1.handle)).followingCount, 0);
      for (const store of t.reelm.realms.all()) {
        const f = await store.db
          .selectFrom('follows')
          .select('follower_id')
          .where((eb) => eb.or([eb('follower_id', '=', ed.userId), eb('followee_id', '=', ed.userId)]))
          .execute();
        const e = await store.db
          .selectFrom('follower_edges')
          .select('follower_id')
          .where((eb) => eb.or([eb('follower_id', '=', ed.userId), eb('followee_id', '=', ed.userId)]))
          .execute();
        assert.deepEqual([...f, ...e], [], `${store.name} still holds edges of the deleted account`);
      }
    });
  });
}
