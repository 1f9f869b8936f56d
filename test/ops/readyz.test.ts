import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { lanes, startReelm } from '../helpers/lanes.ts';

for (const lane of lanes()) {
  describe(`readiness (${lane})`, () => {
    test(`/readyz is ready when every store answers, and names a realm whose migrations are behind (${lane})`, async () => {
      const t = await startReelm(lane);
      try {
        const ok = await t.app.inject({ url: '/readyz' });
        assert.equal(ok.statusCode, 200, ok.body);
        const names = ok.json().checks.map((c: { name: string }) => c.name);
        for (const r of t.reelm.realms.all()) assert.ok(names.includes(`${r.name}.database`) && names.includes(`${r.name}.blobs`));
        assert.ok(names.includes('directory'));

        // A database one migration behind the code (as after a deploy that skipped migrating).
        const eu = t.reelm.realms.get('eu');
        const [last] = (await eu.raw<{ name: string }>('select name from kysely_migration order by name desc limit 1')).rows;
        await eu.raw(`delete from kysely_migration where name = '${last!.name}'`);
        const behind = await t.app.inject({ url: '/readyz' });
        assert.equal(behind.statusCode, 503);
        const failed = behind.json().checks.filter((c: { ok: boolean }) => !c.ok);
        assert.deepEqual(
          failed.map((c: { name: string }) => c.name),
          ['eu.database'],
        );
        assert.match(failed[0].problem, new RegExp(last!.name));
        assert.equal((await t.app.inject({ url: '/healthz' })).statusCode, 200, 'alive all the same');
      } finally {
        await t.close();
      }
    });
  });
}
