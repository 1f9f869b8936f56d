import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { buildApp } from '../../src/api/app.ts';
import { UndocumentedRoutes } from '../../src/api/openapi-check.ts';
import { composition, MODULES, openReelm } from '../../src/composition.ts';
import { baseConfigShape } from '../../src/config/config.ts';
import { openReelmWith } from '../../src/context.ts';
import { composeModules, CompositionError } from '../../src/modules/compose.ts';
import type { ReelmModule } from '../../src/modules/module.ts';
import { StartupRefused } from '../../src/modules/startup-checks.ts';
import { startReelm } from '../helpers/lanes.ts';

// Each start-up refusal, provoked: Reelm refuses to start, naming the module and
// what is missing, rather than failing later on the first request or job.

const compose = (extra: Partial<ReelmModule> & { name: string }) => () =>
  composeModules([...MODULES, extra as ReelmModule], { reservedConfigKeys: Object.keys(baseConfigShape) });

describe('the composition refuses an incomplete module', () => {
  test('a flow it sends that no module declares', () => {
    assert.throws(compose({ name: 'extra', sends: ['extra.nowhere'] }), (e) => e instanceof CompositionError && /sends flow "extra\.nowhere"/.test(e.message));
  });
  test('a flow declared without a receiver', () => {
    const flow = { ...composition.schema.flows.get('social.post_stats')!, name: 'extra.no_receiver', receive: undefined };
    assert.throws(
      compose({ name: 'extra', flows: [flow as never] }),
      (e) => e instanceof CompositionError && /extra\.no_receiver has no receiver/.test(e.message),
    );
  });
  test('a table, flow, job kind, task or configuration key declared twice', () => {
    const social = MODULES.find((m) => m.name === 'social')!;
    assert.throws(
      compose({ name: 'extra', tables: [social.tables![0]!] }),
      (e) => e instanceof CompositionError && /declared by both module social and module extra/.test(e.message),
    );
    assert.throws(compose({ name: 'extra', tasks: [social.tasks![0]!] }), (e) => e instanceof CompositionError && /background task/.test(e.message));
    assert.throws(
      compose({ name: 'extra', config: { shape: { secret: z.string() } } }),
      (e) => e instanceof CompositionError && /configuration key "secret"/.test(e.message),
    );
  });
  test('a migration not named NNNN_name', () => {
    assert.throws(
      compose({ name: 'extra', migrations: { later: { up: async () => {} } } }),
      (e) => e instanceof CompositionError && /must be named NNNN_name/.test(e.message),
    );
  });
  test('a second module resolving session tokens', () => {
    assert.throws(
      compose({ name: 'extra', resolveViewer: async () => null }),
      (e) => e instanceof CompositionError && /exactly one module must resolve session tokens/.test(e.message),
    );
  });
});

/** A migrated sqlite Reelm, closed again; its files (and key) stay for the test to reopen. */
async function closedReelm() {
  const t = await startReelm('sqlite');
  await t.app.close();
  await t.reelm.close();
  return {
    config: t.config,
    dataDir: t.dataDir,
    realm: t.reelm.realms.all()[0]!.name,
    [Symbol.dispose]: () => rmSync(t.dataDir, { recursive: true, force: true }),
  };
}

describe('opening Reelm refuses what only the open stores and app show', () => {
  test('a job kind without a handler (and a handler for an undeclared kind)', async () => {
    using t = await closedReelm();
    for (const jobs of [
      { kinds: ['extra.work'], handlers: () => ({}) },
      { kinds: [], handlers: () => ({ 'extra.stray': async () => {} }) },
    ]) {
      const comp = composeModules([...MODULES, { name: 'extra', jobs }], { reservedConfigKeys: Object.keys(baseConfigShape) });
      await assert.rejects(openReelmWith(t.config, comp), (e) => e instanceof StartupRefused && /extra/.test(e.message));
    }
  });

  test('a column nobody classified in a realm database', async () => {
    using t = await closedReelm();
    const db = new DatabaseSync(join(t.dataDir, 'realms', t.realm, 'realm.sqlite'));
    db.exec('ALTER TABLE users ADD COLUMN shoe_size TEXT');
    db.close();
    await assert.rejects(openReelm(t.config), (e) => e instanceof StartupRefused && /shoe_size/.test(e.message));
  });

  test('a route with no OpenAPI entry', async () => {
    using t = await closedReelm();
    const comp = composeModules([...MODULES, { name: 'extra', routes: async (app) => void app.get('/api/v1/undocumented', async () => ({ ok: true })) }], {
      reservedConfigKeys: Object.keys(baseConfigShape),
    });
    const reelm = await openReelmWith(t.config, comp);
    try {
      const app = await buildApp(reelm, { logger: false });
      await assert.rejects(
        async () => app.ready(),
        (e: Error) => e instanceof UndocumentedRoutes && /GET \/api\/v1\/undocumented/.test(e.message),
      );
      await app.close().catch(() => {});
    } finally {
      await reelm.close();
    }
  });
});
