import { accountsModule } from './accounts/module.ts';
import { auditModule } from './audit/module.ts';
import { feedModule } from './feed/module.ts';
import { baseConfigShape, parseConfig, type ReelmConfig } from './config/config.ts';
import { openReelmWith, type OpenOptions, type Reelm } from './context.ts';
import { flowsModule } from './flows/module.ts';
import { graphModule } from './graph/module.ts';
import { jobsModule } from './jobs/module.ts';
import { limitsModule } from './limits/module.ts';
import { mediaServingModule } from './media-serving/module.ts';
import { mediaModule } from './media/module.ts';
import { moderationModule } from './moderation/module.ts';
import { movesModule } from './moves/module.ts';
import { composeModules, type Composition } from './modules/compose.ts';
import type { ReelmModule } from './modules/module.ts';
import { realmModule } from './realm/module.ts';
import { rightsModule } from './rights/module.ts';
import { privacyModule } from './privacy/module.ts';
import { socialModule } from './social/module.ts';
import { staffModule } from './staff/module.ts';

// THE composition root: the one file that lists the modules. Everything the
// machinery runs — the table registry and migrations, the flow table, the job
// handler table, the route tree, the configuration schema and the background
// tasks — is built from this list (src/modules/compose.ts). A new part is one
// folder with a module.ts plus one line here (docs/ARCHITECTURE.md, "Adding a part").

export const MODULES: readonly ReelmModule[] = [
  // machinery with tables, routes or tasks of its own
  realmModule,
  flowsModule,
  jobsModule,
  // the parts
  limitsModule,
  accountsModule,
  graphModule,
  staffModule,
  auditModule,
  mediaModule,
  mediaServingModule,
  socialModule,
  feedModule,
  rightsModule,
  movesModule,
  privacyModule,
  moderationModule,
];

export const composition: Composition = composeModules(MODULES, { reservedConfigKeys: Object.keys(baseConfigShape) });

/** The configuration (file + environment), with every module's section. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): ReelmConfig {
  return parseConfig(composition.config, env, overrides);
}

/** Opens every store this process serves, with the modules above, after the start-up checks. */
export function openReelm(config: ReelmConfig, opts: OpenOptions = {}): Promise<Reelm> {
  return openReelmWith(config, composition, opts);
}
