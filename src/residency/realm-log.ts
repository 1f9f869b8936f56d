import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RealmManifest } from '../realm/store.ts';

// The realm-scoped log: one JSON line per event, written to the realm's own
// logs.dir from its manifest (R4). Events about a person (their requests,
// staff reads of their data, refused flows) belong to their home realm, so
// they are written here and never to the process-wide log that leaves it.

export const REALM_LOG_FILE = 'reelm.log';

export function realmLogPath(manifest: RealmManifest): string {
  return join(manifest.logs.dir, REALM_LOG_FILE);
}

const made = new Set<string>();

/** Appends synchronously: the line is on disk before the caller reports success. */
export function writeRealmLog(manifest: RealmManifest, event: string, fields: Record<string, unknown> = {}) {
  if (!made.has(manifest.logs.dir)) {
    mkdirSync(manifest.logs.dir, { recursive: true });
    made.add(manifest.logs.dir);
  }
  appendFileSync(realmLogPath(manifest), JSON.stringify({ at: new Date().toISOString(), realm: manifest.realm, event, ...fields }) + '\n');
}
