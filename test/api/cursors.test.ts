import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INVALID_CURSOR_MESSAGE, timeIdCursor } from '../../src/api/cursor.ts';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';

// One cursor codec (src/api/cursor.ts): every paged list answers a cursor it
// did not issue with the same 400 invalid_cursor and the same sentence, and
// a cursor of the right shape for another list is refused, not misread.

for (const lane of lanes()) {
  describe(`page cursors [${lane}]`, () => {
    test('every paged list refuses a bad cursor the same way', async () => {
      const t = await startReelm(lane);
      try {
        const ana = await signUp(t, { country: 'US' });
        const lists = [
          `/api/v1/users/${ana.handle}/followers`,
          `/api/v1/users/${ana.handle}/following`,
          `/api/v1/users/${ana.handle}/videos`,
          '/api/v1/feed/following',
          '/api/v1/feed/for-you',
          '/api/v1/me/notifications',
          '/api/v1/hashtags/dance',
        ];
        const notJson = Buffer.from('12.abc').toString('base64url');
        const wrongShape = Buffer.from(JSON.stringify({ at: -1, id: '' })).toString('base64url');
        for (const list of lists) {
          for (const cursor of ['not-a-cursor', notJson, wrongShape]) {
            const res = await t.app.inject({ method: 'GET', url: `${list}?cursor=${cursor}`, headers: ana.headers });
            assert.equal(res.statusCode, 400, `${list} ${cursor}: ${res.body}`);
            assert.deepEqual(res.json().error, { code: 'invalid_cursor', message: INVALID_CURSOR_MESSAGE }, list);
          }
          const first = await t.app.inject({ method: 'GET', url: list, headers: ana.headers });
          assert.equal(first.statusCode, 200, `${list}: ${first.body}`);
        }
        // a well-formed (time, id) cursor pages the time-ordered lists
        const page = await t.app.inject({
          method: 'GET',
          url: `/api/v1/users/${ana.handle}/followers?cursor=${timeIdCursor.encode({ at: Date.now(), id: 'x' })}`,
        });
        assert.equal(page.statusCode, 200, page.body);
      } finally {
        await t.close();
      }
    });
  });
}
