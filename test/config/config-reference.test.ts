import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CONFIG_DOC, renderConfigReference } from '../../scripts/config-reference.ts';
import { configReference } from '../../src/config/reference.ts';

// docs/CONFIG.md is generated from the configuration schemas; it must be current.

test('docs/CONFIG.md is the reference generated from the current configuration schemas', async () => {
  assert.equal(readFileSync(CONFIG_DOC, 'utf8'), await renderConfigReference(), 'run: node scripts/config-reference.ts');
});

test('the reference lists every key with its type, default and limits', () => {
  const text = configReference({
    a: z.object({ port: z.coerce.number().int().min(1).max(9).default(3) }).default({ port: 3 }),
    mode: z.enum(['x', 'y']).default('x'),
  });
  assert.match(text, /\| `a\.port` \| integer \| `3` \| ≥ 1, ≤ 9 \|/);
  assert.match(text, /\| `mode` \| `"x"` \\\| `"y"` \| `"x"` \|/);
});
