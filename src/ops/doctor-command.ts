import { parseArgs } from 'node:util';
import { composition, loadConfig } from '../composition.ts';
import type { ReelmConfig } from '../config/config.ts';
import { runDoctor, type Check } from './doctor.ts';

// `reelm doctor [--nginx <nginx.conf>] [--json]`: checks this process's deployment (src/ops/doctor.ts)
// and prints one line per check; exits 1 when any check fails, 0 otherwise (warnings included).

const USAGE = 'usage: reelm doctor [--nginx <nginx.conf>] [--json]';

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { nginx: { type: 'string' }, json: { type: 'boolean' } } }));
  } catch (err) {
    console.error(`reelm doctor: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const checks = await doctor(process.env, values.nginx);
  if (values.json) console.log(JSON.stringify(checks));
  else for (const line of formatChecks(checks)) console.log(line);
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}

/** The checks for the configuration this environment loads; a configuration that does not load is itself a failed check. */
export async function doctor(env: NodeJS.ProcessEnv, nginxConfig?: string): Promise<Check[]> {
  let config: ReelmConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    return [{ status: 'fail', check: 'config', message: (err as Error).message }];
  }
  return [
    { status: 'ok', check: 'config', message: `${env.REELM_CONFIG ?? 'reelm.config.json'} and the environment are valid` },
    ...(await runDoctor(config, composition.schema, { nginxConfig })),
  ];
}

export function formatChecks(checks: readonly Check[]): string[] {
  return checks.map((c) => `${c.status.padEnd(4)}  ${c.check}: ${c.message}`);
}
