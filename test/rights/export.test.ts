import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, MANIFEST_NAME, NOT_ARCHIVED, WITHHELD_COLUMNS, archivedRows } from '../../src/rights/archive.ts';
import { expireExports } from '../../src/rights/exports.ts';
import { canonicalJson, collectPersonData } from '../../src/rights/person-data.ts';
import { readTar } from '../../src/rights/tar.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { makeFullPerson, realmWorker, type FullPerson } from './full-person.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Fetches a URL the API handed out, through the app (only its path and query matter). */
function get(t: TestReelm, url: string, headers: Record<string, string> = {}) {
  const u = new URL(url, 'http://reelm.test');
  return t.app.inject({ method: 'GET', url: u.pathname + u.search, headers });
}

for (const lane of lanes()) {
  describe(`download your data (${lane})`, () => {
    let t: TestReelm;
    let p: FullPerson;
    let item: any;
    let tar: Buffer;
    before(async () => {
      t = await startReelm(lane);
      p = await makeFullPerson(t);
    });
    after(() => t?.close());

    test('P1: an export is a job in the home realm, listed with its state, one at a time', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/exports', headers: p.person.headers });
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(res.json().state, 'queued');
      assert.equal(res.json().downloadUrl, null);
      const again = await t.app.inject({ method: 'POST', url: '/api/v1/me/exports', headers: p.person.headers });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'export_in_progress');
      const job = await t.reelm.realms
        .get(p.person.realm)
        .db.selectFrom('jobs')
        .selectAll()
        .where('kind', '=', 'rights.export')
        .where('state', '=', 'queued')
        .execute();
      assert.equal(job.length, 1, 'the job is queued in the home realm');
      assert.equal(job[0]!.owner_id, p.person.userId);
      assert.equal(await realmWorker(t, p.person.realm).drain(), 1);
      const list = (await t.app.inject({ method: 'GET', url: '/api/v1/me/exports', headers: p.person.headers })).json();
      item = list.items.find((x: any) => x.id === res.json().id);
      assert.equal(item.state, 'ready');
      assert.ok(item.downloadUrl);
      assert.ok(Date.parse(item.expiresAt) > Date.now() + 6 * 24 * 3600_000, 'kept for the stated time (7 days by default)');
      assert.equal(list.items.length, 2, 'the earlier export is listed too');
    });

    test('P1: the archive holds every resident table’s rows (credentials withheld), staff reads, and every file byte for byte', async () => {
      const res = await get(t, item.downloadUrl, p.person.headers);
      assert.equal(res.statusCode, 200, res.body);
      tar = res.rawPayload;
      assert.equal(tar.length, item.sizeBytes);
      assert.equal(sha(tar), item.sha256);
      const files = new Map([...readTar(tar)].map((e) => [e.name, e.data]));
      const manifest = JSON.parse(files.get(MANIFEST_NAME)!.toString('utf8'));
      assert.equal(manifest.format, ARCHIVE_FORMAT);
      assert.equal(manifest.version, ARCHIVE_VERSION);
      assert.equal(manifest.userId, p.person.userId);

      const store = t.reelm.realms.get(p.person.realm);
      const data = await collectPersonData(store, p.person.userId);
      for (const [table, rows] of Object.entries(data.records)) {
        if (NOT_ARCHIVED.includes(table)) {
          assert.equal(manifest.tables[table], undefined);
          continue;
        }
        const doc = JSON.parse(files.get(`data/${table}.json`)!.toString('utf8'));
        const expected = archivedRows(table, rows).map((r) => canonicalJson(r));
        // the export job's own row finished after the archive was written
        const got = doc.rows.map((r: object) => canonicalJson(r));
        if (table === 'jobs') assert.deepEqual(new Set(got.map((r: string) => JSON.parse(r).id)).size, doc.rows.length);
        else assert.deepEqual(got.sort(), expected.sort(), table);
        assert.ok(doc.rows.length > 0, `${table} has rows`);
      }
      // credentials never leave in an archive
      const user = await store.db.selectFrom('users').select('password_hash').where('id', '=', p.person.userId).executeTakeFirstOrThrow();
      const sessions = await store.db.selectFrom('sessions').select('token_hash').where('user_id', '=', p.person.userId).execute();
      for (const secret of [user.password_hash, ...sessions.map((s) => s.token_hash)]) assert.equal(tar.includes(secret), false);
      assert.deepEqual(manifest.withheld, WITHHELD_COLUMNS);

      const reads = JSON.parse(files.get('data/staff-reads.json')!.toString('utf8'));
      const staffRead = reads.entries.filter((e: any) => new RegExp(p.canary).test(e.justification));
      assert.equal(staffRead.length, 1, 'the support read, next to the moderator’s entries about their video');

      assert.deepEqual(manifest.media.map((m: any) => m.key).sort(), data.blobs.map((b) => b.key).sort());
      for (const m of manifest.media) {
        const bytes = files.get(m.path)!;
        assert.equal(bytes.length, m.size);
        assert.equal(sha(bytes), m.sha256);
        assert.equal(m.sha256, data.blobs.find((b) => b.key === m.key)!.sha256);
      }
      const u = data.records.users![0]!;
      assert.ok(files.has(`media/${u.avatar_key}`), 'the avatar');
      const v = data.records.videos!.find((x) => x.id === p.videoId)!;
      assert.ok(files.has(`media/${v.original_key}`), 'the original upload');
    });

    test('S4: user text in the archive is JSON, and escaped in the HTML index', () => {
      const files = new Map([...readTar(tar)].map((e) => [e.name, e.data.toString('utf8')]));
      const html = files.get('index.html')!;
      assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      assert.equal(html.includes('<script>'), false);
      const users = JSON.parse(files.get('data/users.json')!);
      assert.match(users.rows[0].bio, /<script>alert\(1\)<\/script>/, 'JSON keeps the text as text');
    });

    test('S2: the archive is never fetchable without the grant, by anyone else, or after the link expires', async () => {
      const u = new URL(item.downloadUrl, 'http://reelm.test');
      const bare = await t.app.inject({ method: 'GET', url: u.pathname, headers: p.person.headers });
      assert.equal(bare.statusCode, 404, 'no grant: answered like a missing file');
      assert.equal((await get(t, item.downloadUrl)).statusCode, 403, 'the link is bound to the person: signed out it fails');
      assert.equal((await get(t, item.downloadUrl, p.friend.headers)).statusCode, 403, 'someone else with the link');
      const forged = new URL(u);
      forged.searchParams.set('exp', String(Number(u.searchParams.get('exp')) + 3600));
      assert.equal((await get(t, forged.toString(), p.person.headers)).json().error.code, 'grant_invalid');
      const exp = Number(u.searchParams.get('exp'));
      assert.ok(exp * 1000 <= Date.now() + t.reelm.config.rights.downloadLinkSeconds * 1000 + 1000, 'the link lives minutes, not days');
    });

    test('P1: archives are deleted after the stated time by the sweep', async () => {
      const store = t.reelm.realms.get(p.person.realm);
      const row = await store.db.selectFrom('data_exports').selectAll().where('id', '=', item.id).executeTakeFirstOrThrow();
      assert.ok(await store.blobs.stat(row.archive_key!));
      await expireExports(t.reelm, store, Number(row.expires_at) - 1000);
      assert.ok(await store.blobs.stat(row.archive_key!), 'not before its time');
      assert.ok((await expireExports(t.reelm, store, Number(row.expires_at) + 1)) >= 1);
      assert.equal(await store.blobs.stat(row.archive_key!), undefined, 'the archive file is gone');
      const list = (await t.app.inject({ method: 'GET', url: '/api/v1/me/exports', headers: p.person.headers })).json();
      const after = list.items.find((x: any) => x.id === item.id);
      assert.equal(after.state, 'expired');
      assert.equal(after.downloadUrl, null);
      assert.equal((await get(t, item.downloadUrl, p.person.headers)).statusCode, 404, 'the old link finds nothing');
    });
  });
}
