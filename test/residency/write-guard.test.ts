import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { putOwned } from '../../src/blobs/resident-blobs.ts';
import { isResidencyViolation } from '../../src/realm/guard.ts';
import { manifestFor, RealmStore } from '../../src/realm/store.ts';
import { newId } from '../../src/lib/ids.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { countRows } from './residents.ts';

async function countFiles(t: TestReelm, realm: string): Promise<number> {
  let n = 0;
  for await (const _ of t.reelm.realms.get(realm).blobs.list('')) n++;
  return n;
}

async function snapshot(t: TestReelm, realm: string) {
  const store = t.reelm.realms.get(realm);
  return {
    users: await countRows(store, 'users'),
    sessions: await countRows(store, 'sessions'),
    follows: await countRows(store, 'follows'),
    files: await countFiles(t, realm),
  };
}

for (const lane of lanes()) {
  describe(`write guard (${lane})`, () => {
    let t: TestReelm;
    let ana: TestUser; // us
    before(async () => {
      t = await startReelm(lane);
      ana = await signUp(t, { country: 'US' });
    });
    after(() => t.close());

    test(`R3: writes of a us person's data into eu are rejected by the data layer — Kysely, raw SQL, blob put — and eu's counts are unchanged (${lane})`, async () => {
      const eu = t.reelm.realms.get('eu');
      const before = await snapshot(t, 'eu');
      const now = Date.now();
      const user = await t.reelm.realms.get('us').db.selectFrom('users').selectAll().where('id', '=', ana.userId).executeTakeFirstOrThrow();

      // Kysely insert of the person's users row (their home is us).
      await assert.rejects(eu.db.insertInto('users').values(user).execute(), isResidencyViolation);
      // Even claiming eu as home with a US country.
      await assert.rejects(
        eu.db
          .insertInto('users')
          .values({ ...user, home_realm: 'eu' })
          .execute(),
        isResidencyViolation,
      );
      // Raw SQL insert of a session and of a follow owned by the person.
      await assert.rejects(
        sql`insert into sessions (id, user_id, token_hash, kind, created_at, last_seen_at, expires_at) values (${newId()}, ${ana.userId}, ${'h' + newId()}, 'bearer', ${now}, ${now}, ${now + 1000})`.execute(
          eu.db,
        ),
        isResidencyViolation,
      );
      await assert.rejects(
        sql
          .raw(
            `insert into follows (follower_id, followee_id, followee_realm, followee_handle, followee_display_name, created_at) values ('${ana.userId}', 'x', 'eu', 'x', 'x', ${now})`,
          )
          .execute(eu.db),
        isResidencyViolation,
      );
      // Moving an existing eu row over to the us person is refused too.
      const bea = await signUp(t, { country: 'ES' });
      await assert.rejects(sql`update sessions set user_id = ${ana.userId} where user_id = ${bea.userId}`.execute(eu.db), isResidencyViolation);
      // Blob put of the person's file.
      await assert.rejects(putOwned(eu, ana.userId, `users/${ana.userId}/avatar/x.webp`, Buffer.from('not here')), /residency_violation/);
      await assert.rejects(putOwned(eu, bea.userId, `users/${ana.userId}/avatar/x.webp`, Buffer.from('wrong prefix')), /residency_violation/);
      const after = await snapshot(t, 'eu');
      assert.deepEqual(after, { ...before, users: before.users + 1, sessions: before.sessions + 1 }, 'only bea’s own sign-up changed eu');
      // The home realm accepts the same write.
      await putOwned(t.reelm.realms.get('us'), ana.userId, `users/${ana.userId}/notes/ok.txt`, Buffer.from('home'));
      assert.equal(await countFiles(t, 'us'), 1);
      await t.reelm.realms.get('us').blobs.delete(`users/${ana.userId}/notes/ok.txt`);
    });

    test(`R4: each realm has one manifest listing all its stores, and a store refuses to be opened as another realm (${lane})`, async () => {
      for (const store of t.reelm.realms.all()) {
        const m = store.manifest;
        assert.equal(m.realm, store.name);
        assert.ok(m.database && m.blobs && m.queue && m.searchIndex && m.logs && m.exports, `manifest of ${store.name} lists every store`);
      }
      const [us, eu] = [t.reelm.realms.get('us'), t.reelm.realms.get('eu')];
      assert.notDeepEqual(us.manifest.database, eu.manifest.database);
      assert.notDeepEqual(us.manifest.blobs, eu.manifest.blobs);
      assert.notEqual(us.manifest.logs.dir, eu.manifest.logs.dir);
      // Opening us with eu's database configuration is refused: the store knows which realm it is.
      const usInfo = t.reelm.policy.realm('us');
      const wrong = { ...manifestFor(t.config, usInfo), database: eu.manifest.database };
      await assert.rejects(RealmStore.open(usInfo, wrong, t.reelm.composition.schema), /belongs to realm "eu"/);
    });

    if (lane === 'postgres')
      test(`R4: a realm's database credentials are refused by every other realm's database and by the directory (${lane})`, async () => {
        const urls = Object.fromEntries(t.reelm.realms.all().map((s) => [s.name, (s.manifest.database as { url: string }).url]));
        const dbOf = (url: string) => new URL(url).pathname;
        const targets = { ...urls, directory: t.config.directory.database!.kind === 'postgres' ? t.config.directory.database!.url : '' };
        for (const [realm, url] of Object.entries(urls)) {
          // Its own database opens with its own credentials.
          const own = new pg.Client({ connectionString: url });
          await own.connect();
          await own.end();
          for (const [other, otherUrl] of Object.entries(targets)) {
            if (other === realm) continue;
            const u = new URL(url);
            u.pathname = dbOf(otherUrl);
            const c = new pg.Client({ connectionString: u.toString() });
            await assert.rejects(c.connect(), /permission denied for database/, `${realm}'s role opened ${other}'s database`);
          }
        }
        // Through the product: realm us opened with eu's credentials on us's database is refused before any query.
        const usInfo = t.reelm.policy.realm('us');
        const crossed = new URL(urls.eu!);
        crossed.pathname = dbOf(urls.us!);
        await assert.rejects(
          RealmStore.open(usInfo, { ...manifestFor(t.config, usInfo), database: { kind: 'postgres', url: crossed.toString() } }, t.reelm.composition.schema),
          /permission denied for database/,
        );
      });
  });
}
