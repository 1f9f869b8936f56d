import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The ranker's snapshot on a seeded world: size, deserialise and serialise time, and the heap the
// loaded model holds (what every serving process carries, and what the collector walks).
//   BENCH_WORLD=/tmp/w [REALM=us] node --expose-gc bench/feed-snapshot.ts
// RANKER=<path to a ranker.ts> runs the same measurement on another version of the model code
// (e.g. the format-3 code from git, to record a before/after on one snapshot).
const world = process.env.BENCH_WORLD;
if (!world) throw new Error('set BENCH_WORLD to a data directory filled by `npx reelm seed`');
const realm = process.env.REALM ?? 'us';
const mod = await import(process.env.RANKER ? pathToFileURL(process.env.RANKER).href : '../src/feed/model/ranker.ts');
const Ranker = mod.OnlineRanker as typeof import('../src/feed/model/ranker.ts').OnlineRanker;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const db = new DatabaseSync(join(world, 'realms', realm, 'realm.sqlite'), { readOnly: true });
const row = db.prepare('SELECT version, snapshot FROM feed_models ORDER BY version DESC LIMIT 1').get() as { version: number; snapshot: string };
db.close();
const stored = new Uint8Array(Buffer.from(row.snapshot, 'base64'));
const format = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(4, true);
const ms = <T>(f: () => T) => {
  const t = performance.now();
  const r = f();
  return [performance.now() - t, r] as const;
};

console.log(`realm ${realm}, stored version ${row.version}: format ${format(stored)}, ${(stored.length / 1e6).toFixed(1)} MB`);
gc();
gc();
const heap0 = process.memoryUsage();
const [tLoad, m] = ms(() => Ranker.deserialize(stored));
gc();
const heap1 = process.memoryUsage();
const [tSave, bytes] = ms(() => m.serialize());
console.log(`  deserialise stored ${tLoad.toFixed(0)} ms; serialise ${tSave.toFixed(0)} ms → format ${format(bytes)}, ${(bytes.length / 1e6).toFixed(1)} MB`);
console.log(
  `  loaded model: JS heap +${((heap1.heapUsed - heap0.heapUsed) / 1e6).toFixed(0)} MB, typed arrays (external) +${((heap1.arrayBuffers - heap0.arrayBuffers) / 1e6).toFixed(0)} MB`,
);
// The own format again (what a serving process and the trainer pay per version).
const [tLoad2, m2] = ms(() => Ranker.deserialize(bytes));
const [tSave2, again] = ms(() => m2.serialize());
const same = again.length === bytes.length && again.every((x, i) => x === bytes[i]);
console.log(`  own format: deserialise ${tLoad2.toFixed(0)} ms, serialise ${tSave2.toFixed(0)} ms, byte-identical: ${same}`);
const [tGc] = ms(() => gc());
console.log(`  a full garbage collection with the model loaded: ${tGc.toFixed(0)} ms`);
