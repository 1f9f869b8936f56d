import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/api/app.ts';
import { S3BlobStore } from '../../src/blobs/s3-store.ts';
import { composition, loadConfig, openReelm } from '../../src/composition.ts';
import type { Reelm } from '../../src/context.ts';
import { signedMediaUrl } from '../../src/media-serving/media-links.ts';
import { migrateStore, migrationStatePath, MigrateRefused, type StoreTarget } from '../../src/ops/migrate-store.ts';
import { run as migrateCommand } from '../../src/ops/migrate-store-command.ts';
import { realmStatus } from '../../src/realm/lifecycle.ts';
import { manifestFor, RealmStore } from '../../src/realm/store.ts';
import { canonicalPersonData, collectPersonData } from '../../src/rights/person-data.ts';
import { newTestDatabase, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { missingLane } from '../helpers/missing-lane.ts';
import { s3LaneOn, s3TestConfig, testBucketName } from '../helpers/s3.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { deliverAll, makeFullPerson, type FullPerson } from '../rights/full-person.ts';
import { postVideo } from '../social/helpers.ts';

// `reelm migrate-store`: a populated embedded realm (us: a person with something in every resident
// table, made through the API and the real upload + transcode path, and a second person who posts
// and follows them) is copied to a new PostgreSQL database and S3 bucket, interrupted once and
// resumed, verified, switched over, and then served from the new stores.

const pgMissing = missingLane(!process.env.REELM_TEST_PG_URL, 'REELM_TEST_PG_URL is not set (migrate-store needs a PostgreSQL target)');
const skip = pgMissing || (s3LaneOn() ? false : 'REELM_TEST_S3_ENDPOINT is not set (migrate-store needs an S3 target)');

const exportOf = async (store: RealmStore, id: string) => canonicalPersonData(await collectPersonData(store, id), { withReferences: true });

describe('migrate-store: an embedded realm to PostgreSQL + S3', { skip }, () => {
  let t: TestReelm;
  let p: FullPerson;
  let second: TestUser;
  let exportsBefore: Map<string, string>;
  let countsBefore: Record<string, number>;
  let configFile: string;
  let targetFile: string;
  let target: StoreTarget;
  let db: Awaited<ReturnType<typeof newTestDatabase>>;
  let served: Reelm | undefined;
  const savedConfigEnv = process.env.REELM_CONFIG;

  before(async () => {
    t = await startReelm('sqlite');
    p = await makeFullPerson(t, { country: 'US' });
    second = await signUp(t, { country: 'US' });
    await postVideo(t, second, { caption: 'second person #migrate' });
    const follow = await t.app.inject({ method: 'POST', url: `/api/v1/users/${p.person.handle}/follow`, headers: second.headers });
    assert.ok(follow.statusCode < 300, follow.body);
    const comment = await t.app.inject({
      method: 'POST',
      url: `/api/v1/posts/${p.friendVideoId}/comments`,
      headers: second.headers,
      payload: { body: 'from us' },
    });
    assert.equal(comment.statusCode, 201, comment.body);
    await deliverAll(t);
    const us = t.reelm.realms.get('us');
    exportsBefore = new Map();
    for (const { id } of await us.db.selectFrom('users').select('id').execute()) exportsBefore.set(id, await exportOf(us, id));
    assert.equal(exportsBefore.size, 2, 'the realm has its two people');
    countsBefore = {};
    for (const spec of us.schema.tables) countsBefore[spec.name] = Number((await us.raw<{ n: number }>(`SELECT count(*) AS n FROM ${spec.name}`)).rows[0]!.n);
    // the realm's processes stop before its store is migrated
    await t.app.close();
    await t.reelm.close();

    configFile = join(t.dataDir, 'reelm.config.json');
    writeFileSync(configFile, JSON.stringify(t.config, null, 2));
    db = await newTestDatabase('us');
    target = { database: { kind: 'postgres', url: db.url }, blobs: s3TestConfig(testBucketName('migrate-us')) };
    targetFile = join(t.dataDir, 'target.json');
    writeFileSync(targetFile, JSON.stringify(target), { mode: 0o600 });
    process.env.REELM_CONFIG = configFile;
  });

  after(async () => {
    if (savedConfigEnv === undefined) delete process.env.REELM_CONFIG;
    else process.env.REELM_CONFIG = savedConfigEnv;
    await served?.close();
    if (target) await new S3BlobStore(target.blobs as ConstructorParameters<typeof S3BlobStore>[0]).destroyBucket();
    await db?.drop();
    if (t) {
      rmSync(t.dataDir, { recursive: true, force: true });
      rmSync(dirname(t.config.audit.signingKeyFile!), { recursive: true, force: true });
    }
  });

  test('an interrupted run leaves the source suspended and the configuration unchanged; another target is refused', async () => {
    const config = loadConfig();
    await assert.rejects(
      migrateStore(config, composition.schema, 'us', target, {
        configFile,
        hook: (point) => {
          if (point === 'table:posts') throw new Error('killed after copying posts');
        },
      }),
      /killed after copying posts/,
    );
    const info = t.reelm.policy.realms.get('us')!;
    const source = await RealmStore.open(info, manifestFor(config, info), composition.schema);
    try {
      const status = await realmStatus(source, 0);
      assert.equal(status.state, 'suspended');
      assert.match(status.reason ?? '', /migrate-store/);
      await assert.rejects(source.db.deleteFrom('likes').execute(), /realm_suspended/, 'nothing can be written to the source while it is copied');
    } finally {
      await source.close();
    }
    assert.equal(JSON.parse(readFileSync(configFile, 'utf8')).realms?.us, undefined);
    const other: StoreTarget = { ...target, blobs: { ...(target.blobs as object), bucket: 'some-other-bucket' } as StoreTarget['blobs'] };
    await assert.rejects(
      migrateStore(config, composition.schema, 'us', other, { configFile }),
      (err: Error) => err instanceof MigrateRefused && /interrupted migration/.test(err.message),
    );
  });

  test('`reelm migrate-store us --target …` resumes, verifies and switches the configuration to PostgreSQL + S3', async () => {
    assert.equal(await migrateCommand(['us', '--target', targetFile, '--json']), 0);
    const written = JSON.parse(readFileSync(configFile, 'utf8'));
    assert.deepEqual(written.realms.us, { database: target.database, blobs: target.blobs });
    const state = JSON.parse(readFileSync(migrationStatePath(loadConfig(), 'us'), 'utf8'));
    assert.equal(state.phase, 'switched');
    assert.ok(state.tablesDone.includes('posts') && state.tablesDone.length > 50);
    assert.ok(!JSON.stringify(state).includes((target.blobs as { secretAccessKey: string }).secretAccessKey), 'the state file holds no credentials');
  });

  test('every table has as many rows and every person’s export is equal after the move to the new stores', async () => {
    served = await openReelm(loadConfig());
    const us = served.realms.get('us');
    assert.equal(us.dialect, 'postgres');
    assert.equal(us.blobs.kind, 's3');
    for (const spec of us.schema.tables) {
      const n = Number((await us.raw<{ n: number }>(`SELECT count(*) AS n FROM ${spec.name}`)).rows[0]!.n);
      assert.equal(n, countsBefore[spec.name], `${spec.name} rows`);
    }
    for (const [id, before_] of exportsBefore) assert.equal(await exportOf(us, id), before_, `export of ${id}`);
    // the residency guard holds on the target: a row owned by someone who is not a resident is refused
    const like = await us.db.selectFrom('likes').selectAll().executeTakeFirstOrThrow();
    await assert.rejects(
      us.db
        .insertInto('likes')
        .values({ ...like, id: `${like.id}x`, user_id: p.friend.userId })
        .execute(),
      /residency_violation/,
    );
    const person = await collectPersonData(us, p.person.userId);
    assert.ok(person.blobs.length >= 5 && person.blobs.some((b) => b.key.endsWith('.mp4')), 'the transcoded media came along');
  });

  test('the realm is then served from the new stores: sign-in, reads, writes and media; the old store is retired', async () => {
    const app = await buildApp(served!, { logger: false });
    await app.ready();
    try {
      const me = await app.inject({ url: '/api/v1/me', headers: p.person.headers });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json().realm, 'us');
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: { login: second.email, password: second.password, session: 'bearer' },
      });
      assert.equal(login.statusCode, 201, login.body);
      const c = await app.inject({
        method: 'POST',
        url: `/api/v1/posts/${p.videoId}/comments`,
        headers: p.person.headers,
        payload: { body: 'after the move' },
      });
      assert.equal(c.statusCode, 201, c.body);
      const us = served!.realms.get('us');
      assert.ok(await us.db.selectFrom('comments').select('id').where('id', '=', c.json().id).executeTakeFirst(), 'the new comment is in PostgreSQL');
      const rendition = (await collectPersonData(us, p.person.userId)).blobs.find((b) => b.key.endsWith('.mp4'))!;
      const link = new URL(signedMediaUrl(served!, 'us', rendition.key).url, 'http://reelm.test');
      const media = await app.inject({ url: link.pathname + link.search });
      assert.equal(media.statusCode, 200, media.body.slice(0, 200));
      assert.equal(createHash('sha256').update(media.rawPayload).digest('hex'), rendition.sha256, 'the bytes come from the bucket');
    } finally {
      await app.close();
    }
    const info = served!.policy.realms.get('us')!;
    const sqlite = manifestFor({ ...served!.config, realms: {} }, info);
    const old = await RealmStore.open(info, sqlite, composition.schema);
    try {
      const status = await realmStatus(old, 0);
      assert.equal(status.state, 'suspended');
      assert.match(status.reason ?? '', /^retired: migrated to postgres:\/\//);
    } finally {
      await old.close();
    }
  });

  test('a second run is idempotent; a configuration naming the retired store again is refused', async () => {
    assert.equal(await migrateCommand(['us', '--target', targetFile]), 0);
    const config = loadConfig();
    const back = { ...config, realms: {} };
    await assert.rejects(
      migrateStore(back, composition.schema, 'us', target, { configFile }),
      (err: Error) => err instanceof MigrateRefused && /retired/.test(err.message),
    );
  });
});

describe('migrate-store --abort: the realm back on SQLite, and a target left non-empty refused', { skip }, () => {
  let t: TestReelm;
  let db: Awaited<ReturnType<typeof newTestDatabase>>;
  let target: StoreTarget;
  let configFile: string;
  const savedConfigEnv = process.env.REELM_CONFIG;
  before(async () => {
    t = await startReelm('sqlite');
    await signUp(t, { country: 'US' });
    await t.app.close();
    await t.reelm.close();
    configFile = join(t.dataDir, 'reelm.config.json');
    writeFileSync(configFile, JSON.stringify(t.config));
    process.env.REELM_CONFIG = configFile;
    db = await newTestDatabase('abort');
    target = { database: { kind: 'postgres', url: db.url }, blobs: s3TestConfig(testBucketName('migrate-abort')) };
  });
  after(async () => {
    if (savedConfigEnv === undefined) delete process.env.REELM_CONFIG;
    else process.env.REELM_CONFIG = savedConfigEnv;
    if (target) await new S3BlobStore(target.blobs as ConstructorParameters<typeof S3BlobStore>[0]).destroyBucket();
    await db?.drop();
    if (t) {
      rmSync(t.dataDir, { recursive: true, force: true });
      rmSync(dirname(t.config.audit.signingKeyFile!), { recursive: true, force: true });
    }
  });

  test('an interrupted migration is given up; the realm is open on its SQLite store again; the half-filled target is refused', async () => {
    const config = loadConfig();
    const stop = (point: string) => {
      if (point === 'table:users') throw new Error('killed after copying users');
    };
    await assert.rejects(migrateStore(config, composition.schema, 'us', target, { configFile, hook: stop }), /killed/);
    assert.equal(await migrateCommand(['us', '--abort']), 0);
    const info = t.reelm.policy.realms.get('us')!;
    const source = await RealmStore.open(info, manifestFor(config, info), composition.schema);
    try {
      assert.equal((await realmStatus(source, 0)).state, 'open');
    } finally {
      await source.close();
    }
    assert.equal(await migrateCommand(['us', '--abort']), 1, 'nothing left to abort');
    await assert.rejects(
      migrateStore(config, composition.schema, 'us', target, { configFile }),
      (err: Error) => err instanceof MigrateRefused && /target database is not empty \(users has 1 rows\)/.test(err.message),
    );
    assert.equal(JSON.parse(readFileSync(configFile, 'utf8')).realms?.us, undefined, 'the configuration was never switched');
  });
});
