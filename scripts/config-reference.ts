import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { baseConfigShape } from '../src/config/config.ts';
import { configReference } from '../src/config/reference.ts';
import { composition } from '../src/composition.ts';

// Writes docs/CONFIG.md from the configuration schemas: node scripts/config-reference.ts
// (`--check`: exits 1 when the file is out of date).

export const CONFIG_DOC = 'docs/CONFIG.md';

/** docs/CONFIG.md as it should be now, formatted as the repository formats Markdown. */
export async function renderConfigReference(): Promise<string> {
  const options = (await prettier.resolveConfig(CONFIG_DOC)) ?? {};
  return prettier.format(configReference({ ...baseConfigShape, ...composition.config.shape }), { ...options, parser: 'markdown' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await renderConfigReference();
  if (process.argv.includes('--check')) {
    const current = readFileSync(CONFIG_DOC, 'utf8');
    if (current !== text) {
      console.error(`${CONFIG_DOC} is out of date: run node scripts/config-reference.ts`);
      process.exit(1);
    }
  } else writeFileSync(CONFIG_DOC, text);
}
