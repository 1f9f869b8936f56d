import { ConfigError, loadConfig } from './config/config.ts';
import { PolicyError } from './residency/policy.ts';
import { openReelm } from './context.ts';
import { buildApp } from './api/app.ts';

// `reelm serve` (npm start) and the operator commands.
const [command = 'serve', ...args] = process.argv.slice(2);

async function serve() {
  const config = loadConfig();
  const reelm = await openReelm(config);
  const app = await buildApp(reelm);
  const shutdown = async () => {
    await app.close();
    await reelm.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await app.listen({ host: config.http.host, port: config.http.port });
  const where = `http://${['0.0.0.0', '127.0.0.1', '::'].includes(config.http.host) ? 'localhost' : config.http.host}:${config.http.port}`;
  console.error(`\nReelm is running at ${where}  (realms: ${reelm.realms.names().join(', ')}; data in ${config.dataDir})`);
  console.error(`  health: ${where}/healthz   API reference: ${where}/api/docs\n`);
}

async function run() {
  switch (command) {
    case 'serve':
      return serve();
    default: {
      const { runCli } = await import('./cli/cli.ts');
      process.exitCode = await runCli(command, args);
    }
  }
}

run().catch((err) => {
  if (err instanceof ConfigError || err instanceof PolicyError) {
    console.error(`reelm: ${err.message}`);
    process.exit(78);
  }
  console.error(err);
  process.exit(1);
});
