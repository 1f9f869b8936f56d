import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { movePerson } from '../../src/moves/move.ts';
import { REDACT_ACTION, verifyChain } from '../../src/staff/audit-chain.ts';
import { auditPublicKey } from '../../src/staff/audit-key.ts';
import { canonicalPersonData, collectPersonData, countPersonData, type PersonData } from '../../src/rights/person-data.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { deliverAll, makeFullPerson, type FullPerson } from '../rights/full-person.ts';
import { scanRealm } from '../helpers/scan.ts';

// R7 and R8 on a person with something in every resident table (test/rights/full-person.ts:
// real upload and transcode, post, follows both ways across realms, likes, comments, favorites,
// watch events, a block, notifications, feed state). They move from us to eu after changing
// their country to DE.

/** The person's data as a move must reproduce it: sessions end (P4), their realm and country are the new ones,
 * and every realm name pointing at the old home (their own videos) points at the new one. */
function expectedAfterMove(d: PersonData, from: string, to: string): string {
  const records: PersonData['records'] = {};
  for (const [table, rows] of Object.entries(d.records)) {
    records[table] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, /_realm$/.test(k) && v === from ? to : v])));
  }
  return canonicalPersonData({ records, blobs: d.blobs }, { omitTables: ['sessions'], omitColumns: { users: ['home_realm', 'country'] } });
}
const comparable = (d: PersonData) => canonicalPersonData(d, { omitTables: ['sessions'], omitColumns: { users: ['home_realm', 'country'] } });

for (const lane of lanes()) {
  describe(`moving a person (${lane})`, () => {
    let t: TestReelm;
    let p: FullPerson;
    let before_: PersonData;
    before(async () => {
      t = await startReelm(lane);
      p = await makeFullPerson(t, { country: 'US', friendCountry: 'DE', blockedCountry: 'BR' });
      before_ = await collectPersonData(t.reelm.realms.get('us'), p.person.userId);
      const report = await movePerson(t.reelm, { person: p.person.handle, to: 'eu', country: 'DE' });
      assert.equal(report.step, 'done');
      assert.ok(report.verified);
      await deliverAll(t);
    });
    after(() => t?.close());

    test('R7: the person’s canonical data in the new realm equals their data in the old one before the move (records and media checksums)', async () => {
      const afterMove = await collectPersonData(t.reelm.realms.get('eu'), p.person.userId);
      assert.ok(before_.blobs.length >= 5, 'the fixture has media');
      assert.deepEqual(
        afterMove.blobs.map((b) => [b.key, b.sha256]),
        before_.blobs.map((b) => [b.key, b.sha256]),
      );
      assert.equal(comparable(afterMove), expectedAfterMove(before_, 'us', 'eu'));
      const user = afterMove.records.users![0]!;
      assert.equal(user.home_realm, 'eu');
      assert.equal(user.country, 'DE');
      assert.equal((await t.reelm.directory.byUserId(p.person.userId))?.realm, 'eu');
    });

    test('R12: the old realm redacts the person’s staff-access entries by a signed chain entry, and its chain still verifies', async () => {
      const source = t.reelm.realms.get('us');
      const report = await verifyChain(source, auditPublicKey(t.reelm.auditKey.publicKeyId));
      assert.deepEqual(report.problems, []);
      assert.equal(report.redacted, 2, 'the fixture’s staff read of them and the moderator’s action on them are redacted');
      const entries = await source.db.selectFrom('staff_access_log').selectAll().orderBy('seq', 'desc').execute();
      assert.equal(entries[0]!.action, REDACT_ACTION);
      assert.ok(!JSON.stringify(entries).includes(p.person.handle), 'no entry still names them');
    });

    test('R8: the old realm holds no row or file of the person, no realm points to it for them, and a byte scan finds none of their values', async () => {
      const left = countPersonData(await collectPersonData(t.reelm.realms.get('us'), p.person.userId));
      assert.deepEqual({ rows: left.rows, blobs: left.blobs, archives: left.archives }, { rows: 0, blobs: 0, archives: 0 });
      // every realm: no <x>_realm column naming the old realm for them or their videos
      const videos = [p.videoId];
      for (const store of t.reelm.realms.all()) {
        for (const spec of store.schema.tables) {
          for (const col of Object.keys(spec.columns)) {
            const m = /^([a-z]+)_realm$/.exec(col);
            if (!m || !(`${m[1]}_id` in spec.columns)) continue;
            const ids = m[1] === 'video' ? videos : [p.person.userId];
            const stale = await (store.db as any).selectFrom(spec.name).select(col).where(`${m[1]}_id`, 'in', ids).where(col, '=', 'us').execute();
            assert.equal(stale.length, 0, `${store.name}.${spec.name}.${col} still points to us`);
          }
        }
      }
      // their old session ended; logging in finds them in their new realm
      assert.equal((await t.app.inject({ url: '/api/v1/me', headers: p.person.headers })).statusCode, 401);
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: { login: p.person.email, password: p.person.password, session: 'bearer' },
      });
      assert.equal(login.statusCode, 201, login.body);
      const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${login.json().session.token}` } });
      assert.equal(me.json().realm, 'eu');
      // the friend's follow of them reached the new realm, and their video plays from it
      const profile = await t.app.inject({ url: `/api/v1/users/${p.person.handle}`, headers: p.friend.headers });
      assert.equal(profile.json().realm, 'eu');
      assert.equal(profile.json().followerCount, 1);
      // Their protected values are nowhere in the old realm's files (database incl. WAL and free pages, blobs, logs).
      const found = await scanRealm(t, 'us', [p.person.email]);
      assert.deepEqual(found, [], 'the old realm’s files hold nothing of theirs');
      // Their public post's text stays where every realm keeps it — the public projection of a public post (now
      // served by eu) — and in no other table of the old realm.
      const us = t.reelm.realms.get('us');
      const holding: string[] = [];
      for (const spec of us.schema.tables) {
        const text = Object.keys(spec.columns).filter((c) => spec.columns[c] === 'public');
        if (!text.length) continue;
        const rows = await (us.db as any)
          .selectFrom(spec.name)
          .select(text)
          .where((eb: any) => eb.or(text.map((c) => eb(eb.cast(eb.ref(c), 'text'), 'like', `%${p.canary}%`))))
          .execute();
        if (rows.length) holding.push(spec.name);
      }
      assert.deepEqual(
        holding.filter((n) => us.schema.tables.find((x) => x.name === n)!.kind !== 'replica'),
        [],
        `only replicas: ${holding.join(', ')}`,
      );
      assert.ok((await scanRealm(t, 'eu', [p.canary])).length > 0, 'the same scan finds them in their new realm (positive control)');
    });
  });
}
