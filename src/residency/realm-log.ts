import { appendFile } from 'node:fs/promises';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RealmManifest } from '../realm/store.ts';

// The realm-scoped log: one JSON line per event, written to the realm's own
// logs.dir from its manifest (R4). Events about a person (their requests,
// staff reads of their data, refused flows) belong to their home realm, so
// they are written here and never to the process-wide log that leaves it.
//
// Two write paths. `writeRealmLog` appends synchronously: refusals and audit
// anchors are on disk before the caller reports. `bufferRealmLog` is for the
// per-request line: it must not put a synchronous file write on the event
// loop of every signed-in request, so lines are queued and appended in one
// asynchronous write per tick window; a clean stop (store close, process exit)
// flushes what is queued, so no line is lost on a clean stop.

export const REALM_LOG_FILE = 'reelm.log';
const FLUSH_AFTER_MS = 50;
const FLUSH_AT_BYTES = 64 * 1024;

export function realmLogPath(manifest: RealmManifest): string {
  return join(manifest.logs.dir, REALM_LOG_FILE);
}

const made = new Set<string>();

function ensureDir(manifest: RealmManifest) {
  if (made.has(manifest.logs.dir)) return;
  mkdirSync(manifest.logs.dir, { recursive: true });
  made.add(manifest.logs.dir);
}

function line(manifest: RealmManifest, event: string, fields: Record<string, unknown>) {
  return JSON.stringify({ at: new Date().toISOString(), realm: manifest.realm, event, ...fields }) + '\n';
}

/** Appends synchronously: the line is on disk before the caller reports success. */
export function writeRealmLog(manifest: RealmManifest, event: string, fields: Record<string, unknown> = {}) {
  ensureDir(manifest);
  flushRealmLogSync(manifest); // keep the file in event order
  appendFileSync(realmLogPath(manifest), line(manifest, event, fields));
}

interface Pending {
  lines: string[];
  bytes: number;
  timer: NodeJS.Timeout | undefined;
  writing: Promise<void>;
}
const pending = new Map<string, Pending>();

/** Queues the line; it reaches the file within FLUSH_AFTER_MS, or at the next flush. */
export function bufferRealmLog(manifest: RealmManifest, event: string, fields: Record<string, unknown> = {}) {
  ensureDir(manifest);
  const path = realmLogPath(manifest);
  let p = pending.get(path);
  if (!p) pending.set(path, (p = { lines: [], bytes: 0, timer: undefined, writing: Promise.resolve() }));
  const text = line(manifest, event, fields);
  p.lines.push(text);
  p.bytes += text.length;
  if (p.bytes >= FLUSH_AT_BYTES) void flushAsync(path, p);
  else if (!p.timer) p.timer = setTimeout(() => void flushAsync(path, p), FLUSH_AFTER_MS).unref();
}

function take(p: Pending): string {
  if (p.timer) clearTimeout(p.timer);
  p.timer = undefined;
  const text = p.lines.join('');
  p.lines = [];
  p.bytes = 0;
  return text;
}

function flushAsync(path: string, p: Pending): Promise<void> {
  const text = take(p);
  if (!text) return p.writing;
  // chained, so concurrent flushes of one file append in order
  p.writing = p.writing.then(() => appendFile(path, text)).catch(() => appendFileSync(path, text));
  return p.writing;
}

/** Waits until every queued line of this realm is on disk (store close, tests). */
export async function flushRealmLog(manifest: RealmManifest): Promise<void> {
  const path = realmLogPath(manifest);
  const p = pending.get(path);
  if (p) await flushAsync(path, p);
}

function flushRealmLogSync(manifest: RealmManifest) {
  const path = realmLogPath(manifest);
  const p = pending.get(path);
  if (!p || p.lines.length === 0) return;
  appendFileSync(path, take(p));
}

// A process that exits without closing its stores still writes what it queued.
process.on('exit', () => {
  for (const [path, p] of pending) if (p.lines.length) appendFileSync(path, take(p));
});
