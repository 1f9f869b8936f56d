import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MANIFEST_NAME } from '../../src/rights/archive.ts';
import { IMPORTED_COLUMNS, importArchive, ImportRefused, NOT_IMPORTED } from '../../src/rights/import.ts';
import { canonicalPersonData, collectPersonData, type PersonData } from '../../src/rights/person-data.ts';
import { readTar, tarStream } from '../../src/rights/tar.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { cliEnv } from '../residency/cli-env.ts';
import { deliverAll, makeFullPerson, realmWorker, type FullPerson } from './full-person.ts';

// P2: an archive made by "download your data" is imported into another realm after the account was
// deleted; exporting it again there gives an equal archive (records and media checksums). A bad or
// tampered archive is refused before anything is written.

/** Asks for an export through the API, runs the job in the person's realm and downloads the archive. */
async function exportThroughApi(t: TestReelm, realm: string, headers: TestUser['headers']): Promise<Buffer> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/exports', headers });
  assert.equal(res.statusCode, 202, res.body);
  await realmWorker(t, realm).drain();
  const item = (await t.app.inject({ method: 'GET', url: '/api/v1/me/exports', headers })).json().items.find((x: any) => x.id === res.json().id);
  assert.equal(item?.state, 'ready', JSON.stringify(item));
  const u = new URL(item.downloadUrl, 'http://reelm.test');
  const got = await t.app.inject({ method: 'GET', url: u.pathname + u.search, headers });
  assert.equal(got.statusCode, 200);
  return got.rawPayload;
}

/** An archive as the records and blobs canonicalPersonData compares. */
function archiveData(tar: Buffer): Pick<PersonData, 'records' | 'blobs'> {
  const files = new Map([...readTar(tar)].map((e) => [e.name, e.data]));
  const manifest = JSON.parse(files.get(MANIFEST_NAME)!.toString('utf8'));
  const records: PersonData['records'] = {};
  for (const [table, entry] of Object.entries<any>(manifest.tables)) records[table] = JSON.parse(files.get(entry.file)!.toString('utf8')).rows;
  return { records, blobs: manifest.media.map((m: any) => ({ key: m.key, sha256: m.sha256, size: m.size })) };
}

/** Rebuilds a tar with some files changed or added (name → new bytes), or left out (null). */
async function retar(tar: Buffer, change: Record<string, Buffer | null>): Promise<Buffer> {
  const files = new Map([...readTar(tar)].map((e) => [e.name, e.data as Buffer | null]));
  for (const [name, body] of Object.entries(change)) files.set(name, body);
  const entries = [...files].flatMap(([name, body]) => (body ? [{ name, size: body.length, body }] : []));
  const chunks: Buffer[] = [];
  for await (const c of tarStream(entries)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const omit = { omitTables: [...NOT_IMPORTED], omitColumns: IMPORTED_COLUMNS };

for (const lane of lanes()) {
  describe(`import (${lane})`, () => {
    let t: TestReelm;
    let p: FullPerson;
    let archive: Buffer;
    before(async () => {
      t = await startReelm(lane);
      p = await makeFullPerson(t, { country: 'US', friendCountry: 'DE', blockedCountry: 'BR' });
      archive = await exportThroughApi(t, 'us', p.person.headers);
    });
    after(() => t?.close());

    const refusal = async (tar: Buffer, code: string, opts = { realm: 'eu', country: 'DE' }) => {
      await assert.rejects(importArchive(t.reelm, tar, opts), (err: unknown) => err instanceof ImportRefused && err.code === code);
    };

    test('P2: an account that still exists is not imported again (move it instead)', async () => {
      await refusal(archive, 'account_exists');
    });

    test('P2: a bad or tampered archive is refused with a clear error, and nothing is written', async () => {
      const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: p.person.headers, payload: { password: p.person.password } });
      assert.equal(res.statusCode, 200, res.body);
      await deliverAll(t);
      const files = new Map([...readTar(archive)].map((e) => [e.name, e.data]));
      const manifest = JSON.parse(files.get(MANIFEST_NAME)!.toString('utf8'));
      const media = manifest.media[0];
      const flipped = Buffer.from(files.get(media.path)!);
      flipped[flipped.length >> 1]! ^= 0xff;
      await refusal(await retar(archive, { [media.path]: flipped }), 'archive_tampered');
      await refusal(await retar(archive, { [media.path]: null }), 'archive_tampered');
      const comments = files.get('data/comments.json')!.toString('utf8').replace(p.canary, 'edited');
      await refusal(await retar(archive, { 'data/comments.json': Buffer.from(comments) }), 'archive_tampered');
      await refusal(await retar(archive, { 'media/users/someone-else/x.bin': Buffer.from('x') }), 'archive_tampered');
      // a row of another person, with the manifest's checksum made to match: still refused
      const likes = JSON.parse(files.get('data/likes.json')!.toString('utf8'));
      likes.rows[0].user_id = p.friend.userId;
      const likesBody = Buffer.from(JSON.stringify(likes));
      const forged = structuredClone(manifest);
      forged.tables.likes.sha256 = createHash('sha256').update(likesBody).digest('hex');
      await refusal(await retar(archive, { 'data/likes.json': likesBody, [MANIFEST_NAME]: Buffer.from(JSON.stringify(forged)) }), 'archive_tampered');
      await refusal(await retar(archive, { [MANIFEST_NAME]: Buffer.from(JSON.stringify({ ...manifest, version: 99 })) }), 'archive_version');
      await refusal(await retar(archive, { [MANIFEST_NAME]: null }), 'archive_invalid');
      await refusal(Buffer.from('not a tar at all, just text that is long enough '.repeat(20)), 'archive_invalid');
      await refusal(archive, 'wrong_realm', { realm: 'eu', country: 'US' });
      const eu = await collectPersonData(t.reelm.realms.get('eu'), p.person.userId);
      assert.equal(Object.values(eu.records).flat().length + eu.blobs.length, 0, 'nothing of theirs was written');
      assert.equal(await t.reelm.directory.byUserId(p.person.userId), undefined);
    });

    test('P2: export → delete → import into another realm → export gives an equal archive (records and media checksums)', async () => {
      const report = await importArchive(t.reelm, archive, { realm: 'eu', country: 'DE' });
      assert.equal(report.userId, p.person.userId);
      assert.equal(report.handle, p.person.handle);
      assert.ok(report.files >= 5 && report.rows > 20, JSON.stringify(report));
      assert.equal((await t.reelm.directory.byUserId(p.person.userId))?.realm, 'eu');
      // the account works: the one-time password logs in, in the new realm
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: { login: p.person.email, password: report.password, session: 'bearer' },
      });
      assert.equal(login.statusCode, 201, login.body);
      const headers = { authorization: `Bearer ${login.json().session.token}` };
      const me = (await t.app.inject({ url: '/api/v1/me', headers })).json();
      assert.equal(me.realm, 'eu');
      assert.equal(me.country, 'DE');

      const again = await exportThroughApi(t, 'eu', headers);
      const a = archiveData(archive);
      const b = archiveData(again);
      assert.ok(a.blobs.length >= 5, 'the fixture has media (avatar, original, renditions, poster, sound)');
      assert.deepEqual(b.blobs, a.blobs, 'every file, byte for byte (SHA-256 and size)');
      // their own videos were served by us and are now served by eu; nothing else changes
      const moved = structuredClone(a);
      for (const rows of Object.values(moved.records))
        for (const r of rows) for (const [k, v] of Object.entries(r)) if (/_realm$/.test(k) && v === 'us') r[k] = 'eu';
      assert.equal(canonicalPersonData(b, omit), canonicalPersonData(moved, omit));
      assert.notEqual(canonicalPersonData(b, omit), canonicalPersonData(a, omit), 'the comparison sees the realm change (positive control)');
      // the files are in the new realm's store, written under their prefix
      const eu = await collectPersonData(t.reelm.realms.get('eu'), p.person.userId);
      assert.deepEqual(
        eu.blobs.map((x) => [x.key, x.sha256]),
        a.blobs.map((x) => [x.key, x.sha256]),
      );

      // announced again: their video is on their profile, they are in the friend's follower list
      // (a follow the deletion had ended), and they claim no follower of before
      await deliverAll(t);
      const videos = (await t.app.inject({ url: `/api/v1/users/${p.person.handle}/videos`, headers })).json();
      assert.ok(
        videos.items.some((v: any) => v.id === p.videoId),
        `their video on their profile: ${JSON.stringify(videos.items.map((v: any) => v.id))}`,
      );
      const followers = (await t.app.inject({ url: `/api/v1/users/${p.friend.handle}/followers`, headers: p.friend.headers })).json();
      assert.deepEqual(
        followers.items.map((f: any) => f.handle),
        [p.person.handle],
      );
      const friendProfile = (await t.app.inject({ url: `/api/v1/users/${p.friend.handle}` })).json();
      assert.equal(friendProfile.followerCount, 1);
      const own = (await t.app.inject({ url: `/api/v1/users/${p.person.handle}`, headers })).json();
      assert.equal(own.followerCount, 0, 'the follows of them ended with the deletion');
      assert.equal((await t.app.inject({ url: `/api/v1/users/${p.person.handle}/followers`, headers })).json().items.length, 0);
    });

    test('P2: the handle and email are taken again, so a second import of the same archive is refused', async () => {
      await refusal(archive, 'account_exists');
    });
  });
}

describe('importing from the command line (sqlite)', () => {
  let t: TestReelm;
  const dir = mkdtempSync(join(tmpdir(), 'reelm-import-'));
  before(async () => {
    t = await startReelm('sqlite');
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('P2: `reelm import <archive> --realm <r>` refuses a tampered archive (exit 1, the reason), then imports the real one and prints the report', async () => {
    const p = await signUp(t, { country: 'US' });
    assert.equal(
      (await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: p.headers, payload: { bio: 'from the archive' } })).statusCode,
      200,
    );
    const archive = await exportThroughApi(t, 'us', p.headers);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: p.headers, payload: { password: p.password } })).statusCode, 200);
    await deliverAll(t);
    const file = join(dir, 'archive.tar');
    const users = JSON.parse([...readTar(archive)].find((e) => e.name === 'data/users.json')!.data.toString('utf8'));
    users.rows[0].bio = 'edited';
    writeFileSync(file, await retar(archive, { 'data/users.json': Buffer.from(JSON.stringify(users)) }));
    const run = () =>
      spawnSync(process.execPath, ['src/main.ts', 'import', file, '--realm', 'eu', '--country', 'DE'], { env: cliEnv(t), encoding: 'utf8', timeout: 60_000 });
    const refused = run();
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /import refused \(archive_tampered\): data\/users\.json does not match its SHA-256/);
    assert.equal(await t.reelm.directory.byUserId(p.userId), undefined);
    writeFileSync(file, archive);
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.userId, p.userId);
    assert.equal(report.realm, 'eu');
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: p.email, password: report.password, session: 'bearer' } });
    assert.equal(login.statusCode, 201, login.body);
    const me = (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${login.json().session.token}` } })).json();
    assert.equal(me.bio ?? me.profile?.bio, 'from the archive');
  });
});
