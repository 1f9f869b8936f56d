import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ownerPrefix } from '../../src/blobs/blob-store.ts';
import { composition } from '../../src/composition.ts';
import { soundKey, uploadSourceKey, videoPrefix } from '../../src/media/keys.ts';
import { canonicalPersonData, collectPersonData, countPersonData, personDataDigest } from '../../src/rights/person-data.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { makeFullPerson, type FullPerson } from './full-person.ts';

// The person-data enumerator reads the table registry, so it is only as good as
// the registry and the fixture: a resident table the fixture leaves empty, or a
// column holding a person's id that the registry does not declare, fails here.

const PERSON_ID_COLUMN = /(^|_)(user|owner|actor|author|follower|followee|blocker|blocked|subject|requester|target|muter|muted)_id$/;
// feed_feedback.target_id holds a video, creator or sound id in the other person's own private row: left as it is
const NOT_A_PERSON = new Set(['feed_feedback.target_id']);

test('P1/P3: every column that names a person is an owner column or a declared person column', () => {
  const undeclared: string[] = [];
  for (const t of composition.schema.tables) {
    for (const c of Object.keys(t.columns)) {
      if (PERSON_ID_COLUMN.test(c) && !NOT_A_PERSON.has(`${t.name}.${c}`) && c !== t.ownerColumn && !(t.personColumns ?? []).includes(c))
        undeclared.push(`${t.name}.${c}`);
    }
  }
  assert.deepEqual(undeclared, [], 'declare these in the table spec (ownerColumn or personColumns) so deletion, export and moves find them');
});

for (const lane of lanes()) {
  describe(`person data (${lane})`, () => {
    let t: TestReelm;
    let p: FullPerson;
    before(async () => {
      t = await startReelm(lane);
      p = await makeFullPerson(t);
    });
    after(() => t?.close());

    test('P1: the enumeration covers every resident table of the composed registry, with the person’s rows only', async () => {
      const store = t.reelm.realms.get(p.person.realm);
      const data = await collectPersonData(store, p.person.userId);
      const resident = composition.schema.tables.filter((x) => x.kind === 'resident');
      assert.deepEqual(Object.keys(data.records).sort(), resident.map((x) => x.name).sort());
      const empty = resident.filter((x) => data.records[x.name]!.length === 0).map((x) => x.name);
      assert.deepEqual(empty, [], 'the fixture (test/rights/full-person.ts) must give the person rows in every resident table; extend it for a new table');
      for (const spec of resident) for (const row of data.records[spec.name]!) assert.equal(row[spec.ownerColumn!], p.person.userId, spec.name);
      // the other people's rows are not theirs
      const friendData = await collectPersonData(t.reelm.realms.get(p.friend.realm), p.person.userId);
      assert.equal(countPersonData(friendData).rows, 0, 'nothing of theirs is a resident row in another realm');
    });

    test('P1: references name the person in other tables: edges to them, public copies of their posts, notifications they caused', async () => {
      const home = await collectPersonData(t.reelm.realms.get(p.person.realm), p.person.userId);
      assert.ok(
        home.references.post_index?.some((r) => r.video_id === p.videoId),
        'their own post projection',
      );
      const away = await collectPersonData(t.reelm.realms.get(p.friend.realm), p.person.userId);
      assert.ok(
        away.references.follower_edges?.some((r) => r.followee_id === p.friend.userId),
        'the friend’s follower edge from them',
      );
      assert.ok(
        away.references.follows?.some((r) => r.follower_id === p.friend.userId),
        'the friend’s follow of them',
      );
      assert.ok(
        away.references.video_engagements?.some((r) => r.kind === 'like'),
        'the public copy of their like',
      );
      assert.ok(
        away.references.video_comments?.some((r) => String(r.body).includes(p.canary)),
        'the public copy of their comment',
      );
      assert.ok(
        away.references.post_index?.some((r) => r.video_id === p.videoId),
        'the projection of their post',
      );
      assert.ok(
        away.references.notifications?.some((r) => r.actor_id === p.person.userId),
        'a notification they caused',
      );
      const reported = await collectPersonData(t.reelm.realms.get(p.person.realm), p.blocked.userId);
      assert.ok(
        reported.references.reports_made?.some((r) => r.reporter_id === p.person.userId && r.target_kind === 'account'),
        'a report naming an account is a reference to that person',
      );
      const third = await collectPersonData(t.reelm.realms.get(p.blocked.realm), p.person.userId);
      assert.ok(
        third.references.block_edges?.some((r) => r.blocked_id === p.blocked.userId),
        'the block edge in the blocked person’s realm',
      );
    });

    test('P1: blobs are every file under the owner prefix, with real key layouts and checksums', async () => {
      const store = t.reelm.realms.get(p.person.realm);
      const data = await collectPersonData(store, p.person.userId);
      const keys = data.blobs.map((b) => b.key);
      assert.ok(keys.every((k) => k.startsWith(ownerPrefix(p.person.userId))));
      const user = data.records.users![0]!;
      assert.ok(keys.includes(String(user.avatar_key)), 'the avatar');
      const video = data.records.videos!.find((v) => v.id === p.videoId)!;
      assert.ok(keys.includes(String(video.original_key)), 'the original');
      assert.ok(keys.some((k) => k.startsWith(videoPrefix(p.person.userId, p.videoId))));
      const upload = data.records.uploads![0]!;
      assert.equal(keys.includes(uploadSourceKey(p.person.userId, String(upload.id))), false, 'the upload source was cleaned up after transcoding');
      for (const s of data.records.sounds!) assert.ok(keys.includes(soundKey(p.person.userId, String(s.id))), 'the sound');
      for (const b of data.blobs) {
        assert.match(b.sha256, /^[0-9a-f]{64}$/);
        assert.equal(b.size, (await store.blobs.getBuffer(b.key)).length);
      }
    });

    test('P2: the canonical form is order-independent and changes when anything does', async () => {
      const store = t.reelm.realms.get(p.person.realm);
      const a = await collectPersonData(store, p.person.userId);
      const shuffled = {
        records: Object.fromEntries(
          Object.entries(a.records)
            .reverse()
            .map(([k, rows]) => [k, [...rows].reverse().map((r) => Object.fromEntries(Object.entries(r).reverse()))]),
        ),
        blobs: [...a.blobs].reverse(),
      };
      assert.equal(canonicalPersonData(shuffled), canonicalPersonData(a));
      assert.equal(personDataDigest(shuffled), personDataDigest(a));
      const edited = structuredClone(shuffled);
      edited.records.comments![0]!.body = 'changed';
      assert.notEqual(personDataDigest(edited), personDataDigest(a));
      const blobEdited = structuredClone(shuffled);
      blobEdited.blobs[0] = { ...blobEdited.blobs[0]!, sha256: '0'.repeat(64) };
      assert.notEqual(personDataDigest(blobEdited), personDataDigest(a));
    });
  });
}
