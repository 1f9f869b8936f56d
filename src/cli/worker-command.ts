import { loadConfig, openReelm } from '../composition.ts';
import { startBackground } from '../modules/roles.ts';

// `reelm worker [--realm <name>]…`: the worker process role, for one realm (on
// that realm's machines) or for all realms of this config. Runs every
// background task of every module (jobs, flow delivery, count publishing,
// upload housekeeping…) and no API. SIGTERM/SIGINT stop claiming, hand running
// jobs back, and exit.
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
  const names = realms.length ? realms : reelm.realms.names();
  const background = startBackground(reelm, { realms: names });
  console.error(`reelm worker ${process.pid}: ${background.tasks.join(', ')} for ${names.join(', ')}`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await background.stop();
  await reelm.close();
  return 0;
}
