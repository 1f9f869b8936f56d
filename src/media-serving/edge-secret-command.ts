import { loadConfig } from '../composition.ts';
import { serverSecret } from '../context.ts';
import { edgeSecret } from './grants.ts';

// `reelm edge-secret`: prints the secret to put in deploy/nginx/reelm.conf
// (secure_link_md5), derived from the server secret, so nginx can check media
// grants itself. Rotating REELM_SECRET rotates it. Opens no realm store.
export async function run(): Promise<number> {
  console.log(edgeSecret(serverSecret(loadConfig())));
  return 0;
}
