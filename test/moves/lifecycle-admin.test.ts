import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { realmStatus } from '../../src/realm/lifecycle.ts';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { staffToken } from '../moderation/helpers.ts';

// POST /api/v1/admin/realms/<realm>/lifecycle: the console's suspend / resume / close, through the
// service `reelm realm` calls (src/moves/realm-lifecycle.ts), for administrators of the realm's operator only.

for (const lane of lanes()) {
  describe(`admin realm lifecycle (${lane})`, () => {
    it('suspend → the residents get 503, resume → back; close starts the download period; refusals are 4xx with a code', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const person = await signUp(r, { country: 'DE' }); // realm eu, operator global
      const admin = await staffToken(r, 'global', 'administrator');
      const mod = await staffToken(r, 'global', 'moderator');
      const other = await staffToken(r, 'atlantic', 'administrator');
      const act = (who: { headers: object }, action: string, realm = 'eu', reason?: string) =>
        r.app.inject({ method: 'POST', url: `/api/v1/admin/realms/${realm}/lifecycle`, headers: who.headers as any, payload: { action, reason } });
      const me = async () => (await r.app.inject({ url: '/api/v1/me', headers: person.headers })).statusCode;

      const byMod = await act(mod, 'suspend');
      assert.equal(byMod.statusCode, 403);
      assert.equal(byMod.json().error.code, 'role_not_allowed');
      assert.equal((await act(other, 'suspend')).json().error.code, 'other_operator');
      assert.equal((await act(admin, 'explode')).statusCode, 400);
      assert.equal((await act(admin, 'suspend', 'nowhere')).statusCode, 404);
      assert.equal(await me(), 200);

      const s = await act(admin, 'suspend', 'eu', 'maintenance');
      assert.equal(s.statusCode, 200, s.body);
      assert.deepEqual(s.json(), { realm: 'eu', state: 'suspended', closesAt: null });
      assert.equal((await realmStatus(r.reelm.realms.get('eu'), 0)).state, 'suspended');
      assert.equal(await me(), 503);

      assert.equal((await act(admin, 'resume')).json().state, 'open');
      assert.equal(await me(), 200);

      const c = await act(admin, 'close', 'eu', 'the operator leaves');
      assert.equal(c.statusCode, 200, c.body);
      assert.equal(c.json().state, 'closing');
      assert.ok(Date.parse(c.json().closesAt) > Date.now(), 'a download period ahead');
      const again = await act(admin, 'resume');
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'lifecycle_refused');
      assert.match(again.json().error.message, /^Realm eu is closing; only a suspended realm can be resumed\.$/);
    });
  });
}
