import { loadConfig } from '../config/config.ts';
import { openReelm } from '../context.ts';
import { edgeSecret } from './grants.ts';

// `reelm edge-secret`: prints the secret to put in deploy/nginx/reelm.conf
// (secure_link_md5), derived from the server secret, so nginx can check media
// grants itself. Rotating REELM_SECRET rotates it.
export async function run(): Promise<number> {
  const reelm = await openReelm(loadConfig());
  try {
    console.log(edgeSecret(reelm.secret));
    return 0;
  } finally {
    await reelm.close();
  }
}
