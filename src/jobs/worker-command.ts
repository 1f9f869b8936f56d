import { loadConfig } from '../config/config.ts';
import { openReelm } from '../context.ts';
import { startWorkers } from './workers.ts';

// `reelm worker [--realm <name>]…`: runs job workers as their own process, for
// one realm (on that realm's machines) or for all realms of this config.
// SIGTERM/SIGINT stop claiming, hand running jobs back, and exit.
export async function run(args: string[]): Promise<number> {
  const realms: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--realm' && args[i + 1]) realms.push(args[++i]!);
    else if (args[i]?.startsWith('--realm=')) realms.push(args[i]!.slice(8));
    else {
      console.error(`reelm worker: unknown argument ${args[i]}. Usage: reelm worker [--realm <name>]…`);
      return 2;
    }
  }
  const reelm = await openReelm(loadConfig());
  for (const r of realms) {
    if (!reelm.realms.has(r)) {
      console.error(`reelm worker: no realm "${r}" (realms: ${reelm.realms.names().join(', ')})`);
      await reelm.close();
      return 2;
    }
  }
  const set = startWorkers(reelm, { realms: realms.length ? realms : undefined });
  console.error(`reelm worker ${process.pid}: running jobs for ${set.workers.map((w) => w.store.name).join(', ')}`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await set.stop();
  await reelm.close();
  return 0;
}
