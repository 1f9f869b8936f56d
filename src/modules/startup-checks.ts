import type { Reelm } from '../context.ts';
import { checkClassification } from '../residency/classification.ts';

// Start-up checks that need the open stores, in the spirit of a job system that
// refuses to start with a missing handler: every job kind a module declares has
// a handler (and no handler serves an undeclared kind), and every table and
// column of every realm database (and the directory) is exactly what the
// modules classify. The structural checks (flows with receivers, no name
// declared twice) already ran in composeModules; the route check runs when the
// HTTP app becomes ready (src/api/openapi-check.ts).

export class StartupRefused extends Error {}

export async function checkStartup(reelm: Reelm, opts: { schema: boolean }): Promise<void> {
  const problems: string[] = [];
  try {
    reelm.composition.jobs(reelm);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (opts.schema) {
    for (const f of await checkClassification(reelm)) problems.push(`${f.store}: ${f.message}`);
  }
  if (problems.length) {
    throw new StartupRefused(`Reelm refuses to start:\n  - ${problems.join('\n  - ')}\n(run \`reelm audit\` for the full residency report)`);
  }
}
