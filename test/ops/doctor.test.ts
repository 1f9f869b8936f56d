import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { composition } from '../../src/composition.ts';
import { doctor, run as doctorCommand } from '../../src/ops/doctor-command.ts';
import { runDoctor, type Check } from '../../src/ops/doctor.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { nginxBinary, writeNginxConfig } from '../helpers/nginx.ts';

// `reelm doctor` against a healthy deployment (the test lane's: embedded, or PostgreSQL + S3 with a
// database and role per realm) and against the same deployment broken in one way per check.

const failures = (checks: readonly Check[]) => checks.filter((c) => c.status === 'fail');
const line = (checks: readonly Check[], check: string) => checks.find((c) => c.check === check);

for (const lane of lanes()) {
  describe(`reelm doctor (${lane})`, () => {
    let t: TestReelm;
    let nginxDir: string | undefined;
    const savedConfigEnv = process.env.REELM_CONFIG;
    const writeConfig = (name: string, config: unknown) => {
      const file = join(t.dataDir, name);
      writeFileSync(file, JSON.stringify(config));
      return file;
    };
    before(async () => {
      t = await startReelm(lane);
      if (nginxBinary()) nginxDir = writeNginxConfig({ upstreamPort: 8080, port: 18080, dataDir: t.dataDir, edgeSecret: 'a'.repeat(8) + 'b9c8d7e6f5a4' });
    });
    after(async () => {
      if (savedConfigEnv === undefined) delete process.env.REELM_CONFIG;
      else process.env.REELM_CONFIG = savedConfigEnv;
      if (nginxDir) rmSync(nginxDir, { recursive: true, force: true });
      await t?.close();
    });

    test('a healthy deployment: every check ok (stores reachable, migrations current, blobs writable, secrets, clock, nginx), exit 0 — the S3 test server’s one shared user aside', async () => {
      const checks = await doctor({ REELM_CONFIG: writeConfig('healthy.json', t.config) }, nginxDir && join(nginxDir, 'nginx.conf'));
      assert.deepEqual(failures(checks), []);
      // the S3 test server has one user for every bucket, which the doctor rightly names (and nothing else)
      const onS3 = t.reelm.realms.all().filter((r) => r.blobs.kind === 's3').length;
      const expected = Array.from({ length: Math.max(0, onS3 - 1) }, () => ({ status: 'warn', check: 'separation' }));
      assert.deepEqual(
        checks.filter((c) => c.status !== 'ok').map((c) => ({ status: c.status, check: c.check })),
        expected,
      );
      for (const realm of t.reelm.realms.names()) {
        assert.match(line(checks, `realm ${realm} database`)!.message, /reachable, migrations current/);
        assert.match(line(checks, `realm ${realm} blobs`)!.message, /writable/);
        if (lane === 'postgres') assert.equal(line(checks, `realm ${realm} database clock`)?.status, 'ok');
      }
      if (nginxDir) assert.equal(line(checks, 'nginx')?.status, 'ok');
      process.env.REELM_CONFIG = writeConfig('healthy.json', t.config);
      assert.equal(await doctorCommand([]), 0);
    });

    test('a broken deployment: each fault is a failed check saying what to fix, and the command exits 1', async () => {
      const keyInside = join(t.dataDir, 'audit-key.pem');
      copyFileSync(t.config.audit.signingKeyFile!, keyInside);
      const notADir = join(t.dataDir, 'not-a-folder');
      writeFileSync(notADir, 'a file where the blob folder should be');
      const broken = {
        ...t.config,
        secret: 'change-me-change-me-change-me-change-me',
        audit: { signingKeyFile: keyInside },
        realms: {
          ...t.config.realms,
          us: { ...t.config.realms.us, blobs: { kind: 'local', dir: join(notADir, 'blobs') } },
          eu: { ...t.config.realms.eu, database: { kind: 'postgres', url: 'postgres://nobody:nothing@127.0.0.1:1/nowhere' } },
        },
      };
      let nginxConf: string | undefined;
      if (nginxDir) {
        nginxConf = join(nginxDir, 'broken.conf');
        copyFileSync(join(nginxDir, 'nginx.conf'), nginxConf);
        appendFileSync(nginxConf, '\nthis is not a directive\n');
      }
      const checks = await doctor({ REELM_CONFIG: writeConfig('broken.json', broken) }, nginxConf);
      assert.equal(line(checks, 'secret')?.status, 'fail');
      assert.match(line(checks, 'secret')!.message, /placeholder: set REELM_SECRET/);
      assert.equal(line(checks, 'audit key')?.status, 'fail');
      assert.match(line(checks, 'audit key')!.message, /inside the data directory/);
      assert.equal(line(checks, 'realm us blobs')?.status, 'fail');
      assert.equal(line(checks, 'realm eu database')?.status, 'fail');
      if (nginxConf) assert.match(line(checks, 'nginx')?.status ?? '', /fail/);
      process.env.REELM_CONFIG = writeConfig('broken.json', broken);
      assert.equal(await doctorCommand([]), 1);
    });

    test('an invalid policy file and a configuration that does not load are failed checks', async () => {
      const policy = join(t.dataDir, 'bad-policy.json');
      writeFileSync(policy, JSON.stringify({ operators: {}, realms: { us: { operator: 'nobody', countries: ['US'] } } }));
      const checks = await runDoctor({ ...t.config, policyFile: policy }, composition.schema);
      assert.equal(line(checks, 'policy')?.status, 'fail');
      const file = join(t.dataDir, 'not-json.json');
      writeFileSync(file, '{ not json');
      assert.equal(line(await doctor({ REELM_CONFIG: file }), 'config')?.status, 'fail');
    });

    test('a store of another realm, a database shared by two realms and a secret left to the data directory are named', async () => {
      const usDb = t.reelm.realms.get('us').manifest.database;
      const { secret: _, ...noSecret } = t.config;
      const checks = await runDoctor(
        { ...noSecret, realms: { ...t.config.realms, eu: { ...t.config.realms.eu, database: usDb } } } as typeof t.config,
        composition.schema,
      );
      assert.equal(line(checks, 'realm eu database')?.status, 'fail');
      assert.match(line(checks, 'realm eu database')!.message, /belongs to realm "us"/);
      assert.equal(line(checks, 'secret')?.status, 'warn');
      if (lane === 'postgres') assert.equal(line(checks, 'separation')?.status, 'fail');
    });

    test('a realm database behind the code’s migrations is a warning (they run at the next start)', async () => {
      await t.reelm.realms.get('intl').raw(`DELETE FROM kysely_migration WHERE name = '0019_job_run_stats'`);
      const checks = await runDoctor(t.config, composition.schema);
      assert.equal(line(checks, 'realm intl database')?.status, 'warn');
      assert.match(line(checks, 'realm intl database')!.message, /1 migrations not applied yet \(0019_job_run_stats/);
      assert.deepEqual(failures(checks), []);
    });

    if (lane === 'postgres') {
      test('clock skew against the database server beyond 10 s fails, and says to run NTP', async () => {
        const checks = await runDoctor(t.config, composition.schema, { now: () => Date.now() - 60_000 });
        const clock = line(checks, 'realm us database clock')!;
        assert.equal(clock.status, 'fail');
        assert.match(clock.message, /60\.\d\d s behind .* NTP/);
      });
    }
  });
}
