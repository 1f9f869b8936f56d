import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { deploymentConfig, freePort, over, startProcess, type ReelmProcess } from '../helpers/processes.ts';
import { signUp, STRONG_PASSWORD } from '../helpers/users.ts';

// Routing a request to its realm's process (src/api/realm-forward.ts): two `reelm api`
// processes over one deployment's stores, one serving us, one serving eu, each knowing
// the other by its flow peer URL. Requests of an eu person sent to the us process — a
// sign-up, a log-in, a write with the session — are answered by the eu process and
// stored in eu; nothing of them is stored in us. A realm with no known URL, an
// unreachable one and a forwarding loop answer 503 with a sentence.

for (const lane of lanes()) {
  test(`a request sent to the wrong realm process lands in the right realm (${lane})`, { timeout: 180_000 }, async (t) => {
    const r = await startReelm(lane);
    const procs: ReelmProcess[] = [];
    t.after(async () => {
      await Promise.all(procs.map((p) => p.stop('SIGKILL')));
      await r.close();
    });
    const [usPort, euPort, loopPort, closedPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const flows = (peers: Record<string, string>) => ({ flows: { peers, pollMs: 250, batchSize: 100 } });
    const usApi = await startProcess(deploymentConfig(r, { serveRealms: ['us'], ...flows({ eu: `http://127.0.0.1:${euPort}` }) }), 'api', { port: usPort });
    procs.push(usApi);
    const euApi = await startProcess(deploymentConfig(r, { serveRealms: ['eu'], ...flows({ us: `http://127.0.0.1:${usPort}` }) }), 'api', { port: euPort });
    procs.push(euApi);
    const wrong = over(usApi.url);
    const us = r.reelm.realms.get('us');
    const eu = r.reelm.realms.get('eu');

    // sign-up of a German person at the us process: created in eu
    const person = await signUp(wrong, { country: 'DE' });
    assert.equal(person.realm, 'eu');
    assert.match(person.token, /^rlm_eu_/);
    assert.ok(await eu.db.selectFrom('users').select('id').where('id', '=', person.userId).executeTakeFirst(), 'the account is in eu');

    // log-in (sign-in) at the us process: the session is made in eu
    const login = await wrong.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { login: person.handle, password: STRONG_PASSWORD, session: 'bearer' },
    });
    assert.equal(login.statusCode, 201, login.body);
    const token = login.json().session.token as string;
    assert.match(token, /^rlm_eu_/);
    const sessions = await eu.db.selectFrom('sessions').select('id').where('user_id', '=', person.userId).execute();
    assert.equal(sessions.length, 2, 'both sessions are in eu');

    // a write with that session at the us process (body streamed on): stored in eu
    const headers = { authorization: `Bearer ${token}` };
    const patched = await wrong.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers, payload: { displayName: 'Routed Right' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().displayName, 'Routed Right');
    const row = await eu.db.selectFrom('users').select('display_name').where('id', '=', person.userId).executeTakeFirstOrThrow();
    assert.equal(row.display_name, 'Routed Right');
    const me = await wrong.app.inject({ method: 'GET', url: '/api/v1/me', headers: { ...headers, 'x-reelm-forwarded': 'for=6.6.6.6;at=1;sig=forged' } });
    assert.equal(me.statusCode, 200, 'a forged forwarded mark is ignored, not taken for a loop');
    assert.equal(me.json().homeRealm.name, 'eu');

    // nothing of the eu person is stored in us
    assert.deepEqual(await us.db.selectFrom('users').select('id').execute(), []);
    assert.deepEqual(await us.db.selectFrom('sessions').select('id').execute(), []);

    // a realm whose URL the us process does not know (intl): 503 with a sentence, nothing claimed
    const unknown = await wrong.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { handle: 'nowhere_person', email: 'nowhere@example.com', password: STRONG_PASSWORD, birthDate: '1990-01-01', country: 'BR', session: 'bearer' },
    });
    assert.equal(unknown.statusCode, 503, unknown.body);
    assert.equal(unknown.json().error.code, 'realm_not_served');
    assert.match(unknown.json().error.message, /realm intl.*does not know where/);
    assert.equal(await r.reelm.directory.byHandle('nowhere_person'), undefined, 'the handle was not claimed');

    // a forwarding loop (eu → itself) and an unreachable realm (intl → a closed port)
    const loop = await startProcess(
      deploymentConfig(r, { serveRealms: ['us'], ...flows({ eu: `http://127.0.0.1:${loopPort}`, intl: `http://127.0.0.1:${closedPort}` }) }),
      'api',
      { port: loopPort },
    );
    procs.push(loop);
    const looped = await over(loop.url).app.inject({ method: 'GET', url: '/api/v1/me', headers });
    assert.equal(looped.statusCode, 503, looped.body);
    assert.equal(looped.json().error.code, 'realm_not_served');
    assert.match(looped.json().error.message, /already forwarded once/);
    const unreachable = await over(loop.url).app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { handle: 'far_person', email: 'far@example.com', password: STRONG_PASSWORD, birthDate: '1990-01-01', country: 'BR', session: 'bearer' },
    });
    assert.equal(unreachable.statusCode, 503, unreachable.body);
    assert.equal(unreachable.json().error.code, 'realm_unreachable');
    assert.match(unreachable.json().error.message, /realm intl could not be reached.*Nothing was sent/);
  });
}
