import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ownerBlobs, ResidencyViolation } from '../../src/blobs/resident-blobs.ts';
import { soundKey, uploadSourceKey, videoPrefix } from '../../src/media/keys.ts';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';

// R3 for files: a person's files are written only through the owner-scoped
// writer of their home realm, which refuses non-residents and keys outside
// their prefix; no part code reaches the raw blob driver's writes.

async function keysOf(store: { blobs: { list(prefix: string): AsyncIterable<{ key: string }> } }, prefix: string) {
  const out: string[] = [];
  for await (const b of store.blobs.list(prefix)) out.push(b.key);
  return out;
}

for (const lane of lanes()) {
  describe(`owner-scoped blob writes [${lane}]`, () => {
    test('a pipeline write for a non-resident is refused and the other realm holds no file of them', async () => {
      const t = await startReelm(lane);
      try {
        const alice = await signUp(t, { country: 'US' });
        const other = t.reelm.realms.all().find((s) => s.name !== alice.realm)!;
        await assert.rejects(ownerBlobs(other, alice.userId), ResidencyViolation);
        assert.deepEqual(await keysOf(other, `users/${alice.userId}/`), []);

        const home = await ownerBlobs(t.reelm.realms.get(alice.realm), alice.userId);
        await home.put(`${videoPrefix(alice.userId, 'v1')}poster.jpg`, Buffer.from('poster'));
        await home.put(soundKey(alice.userId, 's1'), Buffer.from('sound'));
        // a key outside the owner's prefix (someone else's upload source) is refused by the same writer
        const bob = await signUp(t, { country: 'US' });
        await assert.rejects(home.put(uploadSourceKey(bob.userId, 'u1'), Buffer.from('x')), ResidencyViolation);
        assert.deepEqual(await keysOf(t.reelm.realms.get(alice.realm), `users/${bob.userId}/`), []);
      } finally {
        await t.close();
      }
    });
  });
}

test('no part writes blobs through the raw driver (only src/blobs does)', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.startsWith(join('src', 'blobs'))) {
        const text = readFileSync(path, 'utf8');
        if (/\.blobs\.put(File)?\(/.test(text)) offenders.push(path);
      }
    }
  };
  walk('src');
  assert.deepEqual(offenders, [], 'write through ownerBlobs(store, ownerId) (src/blobs/resident-blobs.ts)');
});
