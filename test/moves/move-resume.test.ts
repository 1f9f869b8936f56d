import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { findActiveMove, movePerson, MOVE_POINTS } from '../../src/moves/move.ts';
import { canonicalPersonData, collectPersonData, countPersonData, type PersonData } from '../../src/rights/person-data.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { deliverAll } from '../rights/full-person.ts';

// R9: a move killed at any step and run again reaches the same end state; while it runs exactly
// one realm accepts the person's writes — before the hold the old one (and the write is carried),
// while held nobody (503 account_moving, retryable), after it the new one.

const POINTS = MOVE_POINTS;
const comparable = (d: PersonData) => canonicalPersonData(d, { omitTables: ['sessions'], omitColumns: { users: ['home_realm', 'country'] } });

class Crash extends Error {}

async function person(t: TestReelm, friend: TestUser): Promise<TestUser> {
  const p = await signUp(t, { country: 'US' });
  const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#123456' } })
    .png()
    .toBuffer();
  assert.equal(
    (await t.app.inject({ method: 'PUT', url: '/api/v1/me/avatar', headers: { ...p.headers, 'content-type': 'application/octet-stream' }, payload: png }))
      .statusCode,
    200,
  );
  assert.equal((await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: p.headers, payload: { bio: 'before the move' } })).statusCode, 200);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/users/${friend.handle}/follow`, headers: p.headers })).statusCode, 200);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/users/${p.handle}/follow`, headers: friend.headers })).statusCode, 200);
  await deliverAll(t);
  return p;
}

for (const lane of lanes()) {
  describe(`move, killed and run again (${lane})`, () => {
    let t: TestReelm;
    let friend: TestUser;
    before(async () => {
      t = await startReelm(lane);
      friend = await signUp(t, { country: 'FR' });
    });
    after(() => t?.close());

    for (const point of POINTS) {
      test(`R9: killed at "${point}", run again, it reaches the same end; meanwhile exactly one realm accepts the person's writes`, async () => {
        const p = await person(t, friend);
        const beforeMove = await collectPersonData(t.reelm.realms.get('us'), p.userId);
        await assert.rejects(
          movePerson(t.reelm, { person: p.handle, to: 'eu', country: 'DE' }, (at) => {
            if (at === point) throw new Crash(`killed at ${at}`);
          }),
          Crash,
        );
        const active = await findActiveMove(t.reelm, p.userId);
        assert.ok(active, 'the move record survived the crash');
        const write = await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: p.headers, payload: { bio: 'written mid-move' } });
        let expectedBio = 'before the move';
        if (point === 'requested') {
          assert.equal(write.statusCode, 200, 'before the hold the old realm still accepts writes, and the move carries them');
          expectedBio = 'written mid-move';
        } else if (write.statusCode !== 401) {
          assert.equal(write.statusCode, 503, write.body);
          assert.equal(write.json().error.code, 'account_moving');
          assert.ok(Number(write.headers['retry-after']) > 0);
        }
        const report = await movePerson(t.reelm, { person: p.handle, to: 'eu', country: 'DE' });
        assert.equal(report.step, 'done');
        assert.deepEqual(report.left, { rows: 0, files: 0 });
        await deliverAll(t);

        const moved = await collectPersonData(t.reelm.realms.get('eu'), p.userId);
        assert.equal(moved.records.users![0]!.bio, expectedBio);
        const expected = point === 'requested' ? undefined : comparable(beforeMove);
        if (expected) assert.equal(comparable(moved), expected, 'the end state is the same whichever step the move was killed at');
        assert.equal(countPersonData(await collectPersonData(t.reelm.realms.get('us'), p.userId)).rows, 0);
        assert.equal((await t.reelm.directory.byUserId(p.userId))?.realm, 'eu');
        assert.equal(await findActiveMove(t.reelm, p.userId), undefined);
        const profile = await t.app.inject({ url: `/api/v1/users/${p.handle}`, headers: friend.headers });
        assert.equal(profile.json().realm, 'eu');
        assert.equal(profile.json().followerCount, 1);
      });
    }
  });
}
