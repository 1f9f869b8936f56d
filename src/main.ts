import { ConfigError } from './config/config.ts';
import { PolicyError } from './residency/policy.ts';
import { loadConfig, openReelm } from './composition.ts';
import { buildApp } from './api/app.ts';
import { CompositionError } from './modules/compose.ts';
import { serveRole, startBackground, type Background } from './modules/roles.ts';
import { StartupRefused } from './modules/startup-checks.ts';
import { UndocumentedRoutes } from './api/openapi-check.ts';

// `reelm serve` (npm start), `reelm api` and the operator commands
// (`reelm worker` is the third process role; see src/modules/roles.ts).
const [command = 'serve', ...args] = process.argv.slice(2);

async function serve(requested: 'serve' | 'api') {
  const config = loadConfig();
  const role = requested === 'serve' ? serveRole(config.workers) : 'api';
  const reelm = await openReelm(config);
  const app = await buildApp(reelm);
  let background: Background | undefined;
  const shutdown = async () => {
    await background?.stop(); // running jobs are handed back before the stores close
    await app.close();
    await reelm.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await app.listen({ host: config.http.host, port: config.http.port });
  if (role === 'serve') background = startBackground(reelm);
  const where = `http://${['0.0.0.0', '127.0.0.1', '::'].includes(config.http.host) ? 'localhost' : config.http.host}:${config.http.port}`;
  console.error(`\nReelm is running at ${where}  (realms: ${reelm.realms.names().join(', ')}; data in ${config.dataDir})`);
  console.error(`  role: ${role}${background ? ` (background: ${background.tasks.join(', ')})` : ' (no background work: run `reelm worker`)'}`);
  console.error(`  health: ${where}/healthz   API reference: ${where}/api/docs\n`);
}

async function run() {
  switch (command) {
    case 'serve':
    case 'api':
      return serve(command);
    default: {
      const { runCli } = await import('./cli/cli.ts');
      process.exitCode = await runCli(command, args);
    }
  }
}

run().catch((err) => {
  if (
    err instanceof ConfigError ||
    err instanceof PolicyError ||
    err instanceof CompositionError ||
    err instanceof StartupRefused ||
    err instanceof UndocumentedRoutes
  ) {
    console.error(`reelm: ${err.message}`);
    process.exit(78);
  }
  console.error(err);
  process.exit(1);
});
