import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { moveDriverTask } from '../../src/moves/driver.ts';
import type { RunningTask } from '../../src/modules/module.ts';
import { addStaff } from '../../src/staff/staff.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { cliEnv } from '../residency/cli-env.ts';
import { spawnSync } from 'node:child_process';

// The ways a move is asked for: by the person from settings after changing country, by the
// operator's staff through the admin API, by the operator on the command line — for one person
// or for a whole country after a policy change.

async function until(what: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('timed out');
}

for (const lane of lanes()) {
  describe(`asking for a move (${lane})`, () => {
    let t: TestReelm;
    let driver: RunningTask;
    before(async () => {
      t = await startReelm(lane);
      driver = moveDriverTask.start(t.reelm, { realms: t.reelm.realms.all(), onError: (err) => console.error(err) });
    });
    after(async () => {
      await driver?.stop();
      await t?.close();
    });

    test('R9: a person asks to move after changing country; the move runs in the background and their new realm serves them', async () => {
      const p = await signUp(t, { country: 'BR' });
      const same = await t.app.inject({ method: 'POST', url: '/api/v1/me/move-request', headers: p.headers, payload: { country: 'AR' } });
      assert.equal(same.statusCode, 409);
      assert.equal(same.json().error.code, 'same_realm');
      const bad = await t.app.inject({ method: 'POST', url: '/api/v1/me/move-request', headers: p.headers, payload: { country: 'ZZ' } });
      assert.equal(bad.statusCode, 400);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/move-request', headers: p.headers, payload: { country: 'DE' } });
      assert.equal(res.statusCode, 202, res.body);
      assert.deepEqual([res.json().from, res.json().to], ['intl', 'eu']);
      await until(async () => (await t.reelm.directory.byUserId(p.userId))?.realm === 'eu');
      await until(async () => !(await t.reelm.realms.get('intl').db.selectFrom('users').select('id').where('id', '=', p.userId).executeTakeFirst()));
      const u = await t.reelm.realms.get('eu').db.selectFrom('users').select(['country', 'home_realm']).where('id', '=', p.userId).executeTakeFirstOrThrow();
      assert.deepEqual({ ...u }, { country: 'DE', home_realm: 'eu' });
    });

    test('staff administrators of the operator running the realm can move a person; others cannot', async () => {
      const p = await signUp(t, { country: 'IN' });
      const admin = await addStaff(t.reelm, { operator: 'global', role: 'administrator', name: 'Ada Admin' });
      const support = await addStaff(t.reelm, { operator: 'global', role: 'support', name: 'Sam Support' });
      const other = await addStaff(t.reelm, { operator: 'atlantic', role: 'administrator', name: 'Otto Other' });
      const ask = (token: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/staff/moves',
          headers: { authorization: `Bearer ${token}` },
          payload: { handle: p.handle, to: 'eu', country: 'IE' },
        });
      assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/staff/moves', payload: { handle: p.handle, to: 'eu' } })).statusCode, 401);
      assert.equal((await ask(support.token)).statusCode, 403);
      assert.equal((await ask(other.token)).statusCode, 404, 'another operator’s person is not found');
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff/moves',
        headers: { authorization: `Bearer ${admin.token}` },
        payload: { handle: p.handle, to: 'eu', country: 'BR' },
      });
      assert.equal(wrong.statusCode, 409, 'the policy does not home BR in eu');
      assert.equal(wrong.json().error.code, 'move_refused');
      const res = await ask(admin.token);
      assert.equal(res.statusCode, 202, res.body);
      await until(async () => (await t.reelm.directory.byUserId(p.userId))?.realm === 'eu');
    });
  });
}

describe('moving a country from the command line (sqlite)', () => {
  let t: TestReelm;
  const dir = mkdtempSync(join(tmpdir(), 'reelm-policy-'));
  before(async () => {
    t = await startReelm('sqlite');
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('R9: after the policy maps MX to us, `reelm move --country MX` moves everyone of MX, shows progress and audits that nobody is left', async () => {
    const people = [await signUp(t, { country: 'MX' }), await signUp(t, { country: 'MX' }), await signUp(t, { country: 'MX' })];
    const stays = await signUp(t, { country: 'AR' });
    const policy = JSON.parse(readFileSync(t.config.policyFile, 'utf8'));
    policy.realms.us.countries.push('MX');
    const policyFile = join(dir, 'mx-to-us.json');
    writeFileSync(policyFile, JSON.stringify(policy));
    const run = () =>
      spawnSync(process.execPath, ['src/main.ts', 'move', '--country', 'MX'], {
        env: { ...cliEnv(t), REELM_POLICY: policyFile },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\[#+\] 3\/3/);
    assert.match(r.stderr, /Audit: 0 people of MX left outside realm us/);
    const report = JSON.parse(r.stdout);
    assert.equal(report.moved, 3);
    assert.deepEqual(report.leftBehind, {});
    for (const p of people) assert.equal((await t.reelm.directory.byUserId(p.userId))?.realm, 'us');
    assert.equal((await t.reelm.directory.byUserId(stays.userId))?.realm, 'intl');
    // run again: nothing left to move, same end
    const again = run();
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).moved, 0);
  });

  test('`reelm move <handle> --to <realm>` prints the report and refuses a destination the policy does not home them in', async () => {
    const p = await signUp(t, { country: 'BR' });
    const env = cliEnv(t);
    const refused = spawnSync(process.execPath, ['src/main.ts', 'move', p.handle, '--to', 'us'], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /the policy homes BR in realm intl, not us/);
    const r = spawnSync(process.execPath, ['src/main.ts', 'move', p.handle, '--to', 'eu', '--country', 'PT'], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.step, 'done');
    assert.deepEqual(report.left, { rows: 0, files: 0 });
    assert.equal((await t.reelm.directory.byUserId(p.userId))?.realm, 'eu');
  });
});
