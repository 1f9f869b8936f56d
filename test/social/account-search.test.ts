import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';

// `_` is a handle character and a LIKE wildcard: an exact handle with `_`
// must be found (it was stripped from the pattern, and the typo branch skips
// exact matches), and `_` must not match any character.

for (const lane of lanes()) {
  describe(`account search with _ in handles [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test('an exact handle containing _ is found first; _ is not a wildcard', async () => {
      const alice = await signUp(t, { country: 'US', handle: 'alice_us' });
      await signUp(t, { country: 'DE', handle: 'alicexus' });
      const viewer = await signUp(t, { country: 'DE' });
      const search = async (q: string) => {
        const res = await t.app.inject({ url: `/api/v1/search?type=accounts&q=${encodeURIComponent(q)}`, headers: viewer.headers });
        assert.equal(res.statusCode, 200, res.body);
        return res.json().accounts as { handle: string; match: string }[];
      };
      const hits = await search('alice_us');
      assert.equal(hits[0]?.handle, alice.handle);
      assert.equal(hits[0]?.match, 'exact');
      const prefix = await search('alice_');
      assert.deepEqual(
        prefix.filter((h) => h.match === 'prefix').map((h) => h.handle),
        ['alice_us'],
        '`_` matches only `_`',
      );
    });
  });
}
