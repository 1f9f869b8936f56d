import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { putOwned } from '../src/blobs/resident-blobs.ts';
import { ownerPrefix } from '../src/blobs/blob-store.ts';
import type { RealmStore } from '../src/realm/store.ts';
import { collectPersonData } from '../src/rights/person-data.ts';
import { recordWatchEvents } from '../src/social/watch.ts';
import type { TestReelm } from '../test/helpers/lanes.ts';
import { signUp, type TestUser } from '../test/helpers/users.ts';
import { deliver, postVideo } from '../test/social/helpers.ts';
import { watchBatch } from './lib.ts';

// The person the rights benchmarks (bench/export.ts, bench/move.ts) export and move: N posts made
// through the API, each with an original of MEDIA_KB random bytes written through ownerBlobs (next
// to the helper's small rendition and poster), and ACTIVITY watch events recorded through the
// product's ingest — the "100 videos and 10,000 activity rows" by default.

export const POSTS = Number(process.env.BENCH_POSTS ?? 100);
export const ACTIVITY = Number(process.env.BENCH_ACTIVITY ?? 10_000);
export const MEDIA_KB = Number(process.env.BENCH_MEDIA_KB ?? 256);

export async function makeBenchPerson(r: TestReelm, country = 'US'): Promise<TestUser> {
  const person = await signUp(r, { country });
  const store = r.reelm.realms.get(person.realm);
  const videos: string[] = [];
  for (let i = 0; i < POSTS; i++) {
    const v = await postVideo(r, person, { caption: `bench clip ${i} #bench` });
    await putOwned(store, person.userId, `${ownerPrefix(person.userId)}videos/${v.videoId}/original.mp4`, randomBytes(MEDIA_KB * 1024));
    videos.push(v.videoId);
  }
  await deliver(r);
  const viewer = { userId: person.userId, realm: person.realm, handle: person.handle, sessionId: '' };
  for (let b = 0; b * 500 < ACTIVITY; b++) {
    await recordWatchEvents(r.reelm, viewer, watchBatch('bench', b, Math.min(500, ACTIVITY - b * 500), videos));
  }
  return person;
}

/**
 * The baseline: a plain copy of the same bytes — the person's rows serialised as JSON and every one of
 * their files read and written again under a scratch prefix of `to`, one object per file (as a move
 * writes them) or all in one object (as an export writes its archive) — with no enumeration, archive
 * format, checksums or verification. Returns seconds and what was copied.
 */
export async function plainCopy(
  from: RealmStore,
  to: RealmStore,
  userId: string,
  opts: { oneObject?: boolean } = {},
): Promise<{ seconds: number; rows: number; files: number; bytes: number }> {
  const data = await collectPersonData(from, userId, { hashBlobs: false });
  const rows = Object.values(data.records).reduce((n, r) => n + r.length, 0);
  const t0 = performance.now();
  const json = Buffer.from(JSON.stringify(data.records));
  const bodies: Buffer[] = [json];
  if (!opts.oneObject) await to.blobs.put(`bench-copy/${userId}/rows.json`, json);
  for (const b of data.blobs) {
    const body = await from.blobs.getBuffer(b.key);
    if (opts.oneObject) bodies.push(body);
    else await to.blobs.put(`bench-copy/${b.key}`, body);
  }
  const all = opts.oneObject ? Buffer.concat(bodies) : undefined;
  if (all) await to.blobs.put(`bench-copy/${userId}/all.bin`, all);
  const bytes = all?.length ?? json.length + data.blobs.reduce((n, b) => n + b.size, 0);
  const seconds = (performance.now() - t0) / 1000;
  await to.blobs.deletePrefix('bench-copy/');
  return { seconds, rows, files: data.blobs.length, bytes };
}

/** The background load at the moment (other helpers share the machine): 1-minute load average. */
export async function loadAverage(): Promise<string> {
  const { loadavg, cpus } = await import('node:os');
  return `load ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`;
}

export const lanesToRun = (): ('sqlite' | 'postgres')[] => (process.env.REELM_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite']);
