import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/config.ts';
import { loadConfig } from '../../src/composition.ts';
import { ISO_COUNTRIES } from '../../src/residency/countries.ts';
import { PolicyError, ResidencyPolicy } from '../../src/residency/policy.ts';

const base = {
  operators: { a: { name: 'Operator A' }, b: { name: 'Operator B' } },
  realms: {
    us: { name: 'United States', operator: 'a', countries: ['US'] },
    rest: { name: 'Rest', operator: 'b', otherCountries: true },
  },
};

describe('residency policy', () => {
  test('the default policy maps all 249 ISO countries; three realms, two operators', () => {
    const p = ResidencyPolicy.fromFile('config/policies/default.json');
    assert.equal(ISO_COUNTRIES.length, 249);
    for (const c of ISO_COUNTRIES) assert.ok(p.homeRealmFor(c), c);
    assert.deepEqual([...p.realms.keys()], ['us', 'eu', 'intl']);
    assert.equal(new Set([...p.realms.values()].map((r) => r.operator)).size, 2);
    assert.equal(p.homeRealmFor('US'), 'us');
    assert.equal(p.homeRealmFor('DE'), 'eu');
    assert.equal(p.homeRealmFor('GB'), 'eu');
    assert.equal(p.homeRealmFor('CH'), 'eu');
    assert.equal(p.homeRealmFor('BR'), 'intl');
    assert.equal(p.realm('us').operator === p.realm('eu').operator, false);
    assert.equal(p.minimumAgeFor('US'), 13);
    assert.equal(p.minimumAgeFor('KR'), 14);
  });

  test('the example policy: one operator runs US, Canada, Australia and New Zealand', () => {
    const p = ResidencyPolicy.fromFile('config/policies/anzac-na.json');
    const pacific = p.realmsOfOperator('pacific');
    assert.deepEqual(pacific.sort(), ['au', 'ca', 'nz', 'us']);
    assert.equal(p.homeRealmFor('CA'), 'ca');
    assert.equal(p.homeRealmFor('NZ'), 'nz');
    assert.equal(p.homeRealmFor('FR'), 'eu');
    assert.equal(p.homeRealmFor('IN'), 'intl');
  });

  test('a country with no realm is an error naming it', () => {
    const raw = structuredClone(base) as any;
    delete raw.realms.rest.otherCountries;
    raw.realms.rest.countries = ISO_COUNTRIES.filter((c) => c !== 'US' && c !== 'NZ' && c !== 'FJ');
    assert.throws(
      () => new ResidencyPolicy(raw),
      (e: Error) => e instanceof PolicyError && /FJ, NZ/.test(e.message),
    );
  });

  test('a realm with no operator is an error naming both', () => {
    const raw = structuredClone(base) as any;
    raw.realms.us.operator = 'ghost';
    assert.throws(() => new ResidencyPolicy(raw), /realm "us" names operator "ghost"/);
  });

  test('a country in two realms, or a code that is not a country, is an error', () => {
    const twice = structuredClone(base) as any;
    twice.realms.ca = { name: 'Canada', operator: 'a', countries: ['CA', 'US'] };
    assert.throws(() => new ResidencyPolicy(twice), /US is mapped to two realms/);
    const bogus = structuredClone(base) as any;
    bogus.realms.us.countries = ['US', 'EU'];
    assert.throws(() => new ResidencyPolicy(bogus), /"EU", which is not an ISO 3166-1 country/);
  });
});

describe('configuration', () => {
  test('environment variables override the file and are validated', () => {
    const c = loadConfig({ REELM_PORT: '9090', REELM_EU_DATABASE_URL: 'postgres://u:p@db.example/eu' });
    assert.equal(c.http.port, 9090);
    assert.deepEqual(c.realms.eu?.database, { kind: 'postgres', url: 'postgres://u:p@db.example/eu' });
    assert.throws(
      () => loadConfig({ REELM_PORT: 'eighty' }),
      (e: Error) => e instanceof ConfigError && /port/.test(e.message),
    );
    assert.throws(() => loadConfig({ REELM_US_DATABASE_URL: 'mysql://x' }), /must start with postgres:\/\//);
    assert.throws(() => loadConfig({ REELM_CONFIG: '/nonexistent/reelm.json' }), /does not exist/);
  });

  test('a realm’s S3 bucket from the environment (containers), a missing part named', () => {
    const env = {
      REELM_EU_BLOBS_ENDPOINT: 'http://s3.eu.internal:9000',
      REELM_EU_BLOBS_BUCKET: 'reelm-eu',
      REELM_EU_BLOBS_ACCESS_KEY_ID: 'eu-key',
      REELM_EU_BLOBS_SECRET_ACCESS_KEY: 'eu-secret',
    };
    const c = loadConfig(env);
    assert.deepEqual(c.realms.eu?.blobs, {
      kind: 's3',
      endpoint: 'http://s3.eu.internal:9000',
      region: 'us-east-1',
      bucket: 'reelm-eu',
      accessKeyId: 'eu-key',
      secretAccessKey: 'eu-secret',
    });
    assert.equal(c.realms.us?.blobs, undefined);
    assert.throws(
      () => loadConfig({ ...env, REELM_EU_BLOBS_BUCKET: '', REELM_EU_BLOBS_SECRET_ACCESS_KEY: undefined }),
      (e: Error) => e instanceof ConfigError && /realms\.eu\.blobs/.test(e.message) && /secretAccessKey/.test(e.message),
    );
  });

  test('start-up stops with a clear message when the policy has a gap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelm-policy-'));
    const raw = structuredClone(base) as any;
    raw.realms.rest.operator = 'nobody';
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(raw));
    const r = spawnSync(process.execPath, ['src/main.ts', 'serve'], {
      env: { ...process.env, REELM_POLICY: join(dir, 'policy.json'), REELM_DATA_DIR: join(dir, 'data'), REELM_PORT: '0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 78);
    assert.match(r.stderr, /realm "rest" names operator "nobody"/);
  });
});
