import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FlowDeliverer } from '../../src/flows/deliverer.ts';
import { movePerson } from '../../src/moves/move.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { deliverAll, realmWorker } from '../rights/full-person.ts';

// R9: what others and the person had under way when a move held their data is not lost. An unfollow
// of them sent from another realm after the move copied their follower list ends in the new home (one
// sent in the old realm itself is refused, retryable, like the person's own writes); their "download your data" archives move with them: a ready one is downloadable
// from the new home, byte for byte, and a queued one is finished there.

const inject = (t: TestReelm, method: string, url: string, headers: Record<string, string>) => t.app.inject({ method: method as 'GET', url, headers });

async function logIn(t: TestReelm, p: TestUser) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: p.email, password: p.password, session: 'bearer' } });
  assert.equal(res.statusCode, 201, res.body);
  return { authorization: `Bearer ${res.json().session.token}` };
}

for (const lane of lanes()) {
  describe(`writes under way during a move (${lane})`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t?.close());

    test('R9: an unfollow sent while the move holds the person is not lost: the new home drops that follower edge and counts it', async () => {
      const p = await signUp(t, { country: 'US' });
      const away = await signUp(t, { country: 'JP' }); // a third realm
      const near = await signUp(t, { country: 'US' }); // the old realm itself
      const stays = await signUp(t, { country: 'JP' });
      assert.notEqual(away.realm, 'us');
      assert.notEqual(away.realm, 'eu');
      for (const f of [away, near, stays]) assert.equal((await inject(t, 'POST', `/api/v1/users/${p.handle}/follow`, f.headers)).statusCode, 200);
      await deliverAll(t);
      assert.equal((await inject(t, 'GET', `/api/v1/users/${p.handle}`, p.headers)).json().followerCount, 3);

      const report = await movePerson(t.reelm, { person: p.handle, to: 'eu', country: 'DE' }, async (at) => {
        if (at !== 'copied') return;
        // their follower list is copied; the old realm still holds them
        // from another realm: stored in the follower's realm, the message waits for the old realm
        const r = await inject(t, 'DELETE', `/api/v1/users/${p.handle}/follow`, away.headers);
        assert.equal(r.statusCode, 200, r.body);
        // in the old realm itself the same transaction would write the held person's follower list: refused, retryable
        const refused = await inject(t, 'DELETE', `/api/v1/users/${p.handle}/follow`, near.headers);
        assert.equal(refused.statusCode, 503, refused.body);
        assert.equal(refused.json().error.code, 'account_moving');
        assert.match(refused.json().error.message, /account you acted on/);
        assert.ok(Number(refused.headers['retry-after']) > 0);
        await new FlowDeliverer(t.reelm).deliverOnce();
        const waiting = await t.reelm.realms
          .get(away.realm)
          .db.selectFrom('flow_outbox')
          .select('state')
          .where('flow', '=', 'graph.unfollow')
          .where('to_realm', '=', 'us')
          .where('payload', 'like', `%${away.userId}%`)
          .execute();
        assert.deepEqual(
          waiting.map((w) => w.state),
          ['pending'],
          'the unfollow waits while the old realm holds the person',
        );
      });
      assert.equal(report.step, 'done');
      await deliverAll(t);
      await deliverAll(t);
      // the refused one, sent again after the move, reaches the new home
      assert.equal((await inject(t, 'DELETE', `/api/v1/users/${p.handle}/follow`, near.headers)).statusCode, 200);
      await deliverAll(t);

      const edges = await t.reelm.realms.get('eu').db.selectFrom('follower_edges').select('follower_id').where('followee_id', '=', p.userId).execute();
      assert.deepEqual(
        edges.map((e) => e.follower_id),
        [stays.userId],
        'only the follower who stayed',
      );
      const profile = (await inject(t, 'GET', `/api/v1/users/${p.handle}`, stays.headers)).json();
      assert.equal(profile.realm, 'eu');
      assert.equal(profile.followerCount, 1);
      for (const f of [away, near]) {
        const following = (await inject(t, 'GET', `/api/v1/users/${f.handle}/following`, f.headers)).json();
        assert.equal(following.items.length, 0);
      }
    });

    test('R9/P1: their exports move with them: a ready archive is downloadable from the new home byte for byte, a queued one is finished there', async () => {
      const p = await signUp(t, { country: 'US' });
      const first = await t.app.inject({ method: 'POST', url: '/api/v1/me/exports', headers: p.headers });
      assert.equal(first.statusCode, 202);
      await realmWorker(t, 'us').drain();
      const ready = (await inject(t, 'GET', '/api/v1/me/exports', p.headers)).json().items[0];
      assert.equal(ready.state, 'ready');
      const second = await t.app.inject({ method: 'POST', url: '/api/v1/me/exports', headers: p.headers });
      assert.equal(second.statusCode, 202, 'a second one is queued when the move starts');

      const report = await movePerson(t.reelm, { person: p.handle, to: 'eu', country: 'DE' });
      assert.equal(report.step, 'done');
      assert.deepEqual(report.left, { rows: 0, files: 0 }, 'no archive is left in the old realm');
      await deliverAll(t);

      const headers = await logIn(t, p);
      const items = (await inject(t, 'GET', '/api/v1/me/exports', headers)).json().items;
      const carried = items.find((x: any) => x.id === ready.id);
      assert.equal(carried.state, 'ready');
      assert.match(carried.downloadUrl, /\/media\/eu\//, 'served by the new home');
      const u = new URL(carried.downloadUrl, 'http://reelm.test');
      const got = await t.app.inject({ method: 'GET', url: u.pathname + u.search, headers });
      assert.equal(got.statusCode, 200, got.body);
      assert.equal(createHash('sha256').update(got.rawPayload).digest('hex'), ready.sha256, 'the same archive, byte for byte');

      assert.equal(items.find((x: any) => x.id === second.json().id).state, 'queued');
      assert.equal(await realmWorker(t, 'eu').drain(), 1, 'the export job moved with them');
      const done = (await inject(t, 'GET', '/api/v1/me/exports', headers)).json().items.find((x: any) => x.id === second.json().id);
      assert.equal(done.state, 'ready');
      assert.match(done.downloadUrl, /\/media\/eu\//);
    });
  });
}
