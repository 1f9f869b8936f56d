import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { realmLogPath, writeRealmLog } from '../../src/residency/realm-log.ts';

// The per-request realm log line is buffered (no synchronous write on the request
// path); these tests show that buffering loses nothing and keeps the order.

function logLines(path: string) {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; requestId?: string });
}

for (const lane of lanes()) {
  describe(`realm request log (${lane})`, () => {
    test(`every signed-in request's line is in the home realm's log after a clean stop (${lane})`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'reelm-log-')); // ours, so it outlives t.close()
      const t = await startReelm(lane, { config: { dataDir } });
      const alice = await signUp(t, { country: 'FR' });
      const ids: string[] = [];
      for (let i = 0; i < 200; i++) {
        const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: alice.headers });
        assert.equal(res.statusCode, 200);
        ids.push(String(res.headers['x-request-id'] ?? ''));
      }
      const path = realmLogPath(t.reelm.realms.get('eu').manifest);
      await t.close(); // the clean stop flushes what is queued
      const requests = logLines(path).filter((l) => l.event === 'request');
      rmSync(dataDir, { recursive: true, force: true });
      assert.equal(requests.length, 200, 'one line per signed-in request, none lost');
      if (ids.every(Boolean))
        assert.deepEqual(
          requests.map((l) => l.requestId),
          ids,
          'in request order',
        );
    });

    test(`a synchronous event written after buffered lines lands after them (${lane})`, async () => {
      const t = await startReelm(lane);
      try {
        const bob = await signUp(t, { country: 'US' });
        assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bob.headers })).statusCode, 200);
        const manifest = t.reelm.realms.get('us').manifest;
        writeRealmLog(manifest, 'audit_marker', {});
        const events = logLines(realmLogPath(manifest)).map((l) => l.event);
        assert.deepEqual(events.slice(-2), ['request', 'audit_marker']);
      } finally {
        await t.close();
      }
    });
  });
}
