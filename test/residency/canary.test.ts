import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FlowDeliverer } from '../../src/flows/deliverer.ts';
import { addStaff } from '../../src/staff/staff.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { directoryFiles, hits, realmFiles, s3Objects } from '../helpers/scan.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { socialTraffic, type CanaryPerson } from './canary-activity.ts';

// Canary values (email, phone number, birth date, IP address) are written for
// one person in each realm, through the API; the people then follow, post,
// mention, comment, like and watch across realms and run a media job
// (canary-activity.ts). Then the raw bytes of every other realm's database
// files, blobs (local folders, or every object of the realm's S3 bucket) and
// log files — and the directory's — are scanned for them. The same scan must
// find them in the home realm, blobs included (otherwise a scan that reads
// nothing would pass).

interface Canary extends CanaryPerson {
  realm: string;
  country: string;
  email: string;
  phone: string;
  birthDate: string;
  ip: string;
  user?: TestUser;
}

for (const lane of lanes()) {
  describe(`canaries (${lane})`, () => {
    let t: TestReelm;
    const tag = randomBytes(3).toString('hex');
    const canaries: Canary[] = [
      { realm: 'us', country: 'US', email: `canary-us-${tag}@canary-mail.test`, phone: `+1 555 0107 ${tag}`, birthDate: '1983-04-01', ip: '203.0.113.71' },
      { realm: 'eu', country: 'FR', email: `canary-eu-${tag}@canary-mail.test`, phone: `+33 6 12 ${tag}`, birthDate: '1984-05-02', ip: '198.51.100.72' },
      { realm: 'intl', country: 'BR', email: `canary-intl-${tag}@canary-mail.test`, phone: `+55 11 9 ${tag}`, birthDate: '1985-06-03', ip: '192.0.2.73' },
    ];
    const values = (c: Canary) => ({ email: c.email, phone: c.phone, birthDate: c.birthDate, ip: c.ip });

    before(async () => {
      t = await startReelm(lane, { config: { http: { trustProxy: true } } });
      for (const c of canaries) {
        c.user = await signUp(t, { country: c.country, email: c.email, birthDate: c.birthDate });
        assert.equal(c.user.realm, c.realm);
        const headers = { ...c.user.headers, 'x-forwarded-for': c.ip };
        const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers, payload: { bio: `call me on ${c.phone}` } });
        assert.equal(res.statusCode, 200, res.body);
        // A log-in from the canary address, and ordinary use.
        const login = await t.app.inject({
          method: 'POST',
          url: '/api/v1/sessions',
          headers: { 'x-forwarded-for': c.ip },
          payload: { login: c.email, password: c.user.password, session: 'bearer' },
        });
        assert.equal(login.statusCode, 201, login.body);
        assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers })).statusCode, 200);
      }
      // Cross-realm traffic that must carry none of it: follows in every direction, and a staff read.
      const [us, eu, intl] = canaries.map((c) => c.user!);
      for (const [a, b] of [
        [us, eu],
        [eu, intl],
        [intl, us],
        [eu, us],
      ] as const) {
        assert.equal(
          (await t.app.inject({ method: 'POST', url: `/api/v1/users/${b!.handle}/follow`, headers: { ...a!.headers, 'x-forwarded-for': '10.9.9.9' } }))
            .statusCode,
          200,
        );
      }
      await new FlowDeliverer(t.reelm).deliverOnce();
      await socialTraffic(t, canaries);
      const staff = await addStaff(t.reelm, { operator: 'global', name: 'Canary Checker', role: 'support' });
      const read = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff/reads',
        headers: { authorization: `Bearer ${staff.token}` },
        payload: { userId: eu!.userId, justification: 'Canary test: support ticket about login' },
      });
      assert.equal(read.statusCode, 200, read.body);
    });
    after(() => t.close());

    test(`the scan finds each person's canaries in their own realm, blobs included (positive control) (${lane})`, async () => {
      for (const c of canaries) {
        const own = await realmFiles(t, c.realm);
        for (const v of [c.email, c.phone, c.birthDate]) assert.ok(hits(own, v).length > 0, `${v} not found in ${c.realm}'s own stores`);
        // The blob scan reads what it should: the original upload's metadata carries the phone number.
        const blobs = t.reelm.realms.get(c.realm).blobs;
        const objects = await s3Objects(t, c.realm);
        assert.equal(objects.size > 0, blobs.kind === 's3', 'S3 objects are scanned on the S3 lane');
        const inBlobs = hits(blobs.kind === 'local' ? own.filter((f) => f.startsWith(blobs.location)) : [], c.phone, objects);
        assert.ok(inBlobs.length > 0, `${c.phone} not found in ${c.realm}'s own blobs (${blobs.location})`);
        assert.ok(
          hits(
            own.filter((f) => f.startsWith(t.reelm.realms.get(c.realm).manifest.logs.dir)),
            c.ip,
          ).length > 0,
          `${c.ip} not in ${c.realm}'s own log`,
        );
      }
    });

    test(`canary email, phone, birth date and IP never appear in another realm's database files, blobs (folders or S3 objects) or logs, nor in the directory, after social and media traffic (${lane})`, async () => {
      const dir = await directoryFiles(t);
      assert.ok(dir.length > 0);
      for (const c of canaries) {
        for (const other of canaries.filter((o) => o.realm !== c.realm)) {
          const files = await realmFiles(t, other.realm);
          const objects = await s3Objects(t, other.realm);
          assert.ok(files.length > 0);
          for (const [what, v] of Object.entries(values(c)))
            assert.deepEqual(hits(files, v, objects), [], `${c.realm} person's ${what} found in realm ${other.realm}`);
        }
        for (const [what, v] of Object.entries(values(c))) assert.deepEqual(hits(dir, v), [], `${c.realm} person's ${what} found in the directory`);
      }
    });
  });
}
