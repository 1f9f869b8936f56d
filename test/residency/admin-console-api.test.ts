import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { addStaff } from '../../src/staff/staff.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';

// The admin console's API: a staff member sees their own operator's realms
// with their state; administrators run the residency audit and verify the
// access chain of one of them — the product's own checks, which find a stray
// file and an edited entry — and nobody reaches another operator's realm.

for (const lane of lanes()) {
  describe(`admin console API (${lane})`, () => {
    let t: TestReelm;
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: `/api/v1/admin${url}`, headers });
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test(`realms and state, residency audit and audit-log verification, limited to the staff's operator and role (${lane})`, async () => {
      const eva = await signUp(t, { country: 'DE' });
      const admin = (await addStaff(t.reelm, { operator: 'global', name: 'Ada Admin', role: 'administrator' })).token;
      const mod = (await addStaff(t.reelm, { operator: 'global', name: 'Mo Mod', role: 'moderator' })).token;
      const atlantic = (await addStaff(t.reelm, { operator: 'atlantic', name: 'Al Atlantic', role: 'administrator' })).token;

      const mine = await get('/realms', as(admin));
      assert.equal(mine.statusCode, 200, mine.body);
      const names = mine.json().realms.map((r: any) => r.name);
      const expected = t.reelm.policy.realmsOfOperator('global').filter((r) => t.reelm.realms.has(r));
      assert.deepEqual(names.sort(), [...expected].sort());
      assert.ok(names.includes('eu') && !names.includes('us'), 'another operator’s realm is not listed');
      assert.equal(mine.json().realms.find((r: any) => r.name === 'eu').state, 'open');
      assert.deepEqual(mine.json().staff.role, 'administrator');
      assert.deepEqual(
        (await get('/realms', as(atlantic))).json().realms.map((r: any) => r.name),
        ['us'],
      );
      assert.equal((await get('/realms')).statusCode, 401);
      assert.equal((await get('/realms', as(eva.token))).statusCode, 401, 'a person’s session is not a staff token');

      // the residency audit of eu: clean, then a file nobody owns is found
      const clean = await get('/realms/eu/residency-audit', as(admin));
      assert.equal(clean.statusCode, 200, clean.body);
      assert.deepEqual([clean.json().ok, clean.json().findings], [true, []]);
      assert.ok(clean.json().realm.rows > 0);
      await t.reelm.realms.get('eu').blobs.put('tmp/junk.bin', Buffer.from('nobody'));
      const dirty = (await get('/realms/eu/residency-audit', as(admin))).json();
      assert.equal(dirty.ok, false);
      assert.deepEqual(
        dirty.findings.map((f: any) => f.kind),
        ['blob_without_owner'],
      );
      await t.reelm.realms.get('eu').blobs.delete('tmp/junk.bin');

      // the access chain of eu: a staff read is one entry; an edited entry is found
      const read = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff/reads',
        headers: as(admin),
        payload: { userId: eva.userId, justification: 'Ticket 4711: the person asked for help' },
      });
      assert.equal(read.statusCode, 200, read.body);
      const chain = (await get('/realms/eu/audit-log', as(admin))).json();
      assert.deepEqual([chain.ok, chain.entries, chain.problems], [true, 1, []]);
      assert.equal(chain.head.seq, 1);
      await sql`update staff_access_log set justification = ${'nothing to see'} where seq = 1`.execute(t.reelm.realms.get('eu').db);
      const edited = (await get('/realms/eu/audit-log', as(admin))).json();
      assert.equal(edited.ok, false);
      assert.match(edited.problems.join('; '), /entry 1 was edited/);

      // other operators, other roles, unknown realms
      for (const url of ['/realms/eu/residency-audit', '/realms/eu/audit-log']) {
        const other = await get(url, as(atlantic));
        assert.deepEqual([other.statusCode, other.json().error.code], [403, 'other_operator']);
        const role = await get(url, as(mod));
        assert.deepEqual([role.statusCode, role.json().error.code], [403, 'role_not_allowed']);
        assert.equal((await get(url)).statusCode, 401);
      }
      assert.equal((await get('/realms/atlantis/audit-log', as(admin))).statusCode, 404);
    });
  });
}
