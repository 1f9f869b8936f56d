import type { RealmStore } from '../realm/store.ts';
import { isUniqueViolation } from '../realm/database.ts';
import { OnlineRanker, type Outcome, type PersonContext, type VideoFeatures } from './model/ranker.ts';

// One ranking model per realm, stored as numbered snapshots in the realm's own
// database (feed_models). Every API process of a realm serves the latest stored
// version (one indexed read per request, deserialised once per version and
// cached), so processes over the same store rank alike. Training is
// optimistic: load the latest snapshot, apply the events, insert version+1;
// if another process inserted it first, reload and apply again. A person's
// events reach only their home realm's store, so only that model moves.

export interface Served {
  version: number;
  ranker: OnlineRanker;
}

const cache = new WeakMap<RealmStore, { version: number; bytes: Uint8Array | null; ranker: OnlineRanker }>();
const SEED = 10;
const fresh = () => new OnlineRanker({ seed: SEED });

async function latestVersion(store: RealmStore): Promise<number> {
  const r = await store.db
    .selectFrom('feed_models')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return r?.v == null ? 0 : Number(r.v);
}

async function load(store: RealmStore, version: number) {
  const hit = cache.get(store);
  if (hit && hit.version === version) return hit;
  let entry: { version: number; bytes: Uint8Array | null; ranker: OnlineRanker };
  if (version === 0) entry = { version: 0, bytes: null, ranker: fresh() };
  else {
    const row = await store.db.selectFrom('feed_models').select('snapshot').where('version', '=', version).executeTakeFirstOrThrow();
    const bytes = new Uint8Array(Buffer.from(row.snapshot, 'base64'));
    entry = { version, bytes, ranker: OnlineRanker.deserialize(bytes) };
  }
  cache.set(store, entry);
  return entry;
}

/** The model this realm serves now: its latest stored snapshot. */
export async function servingModel(store: RealmStore): Promise<Served> {
  const e = await load(store, await latestVersion(store));
  return { version: e.version, ranker: e.ranker };
}

export interface Observation {
  person: PersonContext;
  video: VideoFeatures;
  outcome: Outcome;
  at: number;
}

/** Applies events to the realm's model and stores the result as the next version. */
const queues = new WeakMap<RealmStore, { obs: Observation[]; run?: Promise<number> }>();

/**
 * Trains the realm's model on these observations and stores the next version. Within a process,
 * trainings of one realm are coalesced: while one is being stored, new observations queue and the
 * next run takes them all, so a burst of concurrent batches is one snapshot write per round rather
 * than a race for the same version number. Across processes the version insert decides (below).
 */
export async function train(store: RealmStore, obs: readonly Observation[], keep: number): Promise<number> {
  let q = queues.get(store);
  if (!q) queues.set(store, (q = { obs: [] }));
  q.obs.push(...obs);
  while (q.run) await q.run.catch(() => 0);
  if (q.obs.length === 0) return latestVersion(store); // an earlier run took ours
  const queue = q;
  const run = trainOnce(store, queue.obs.splice(0), keep).finally(() => {
    queue.run = undefined;
  });
  queue.run = run;
  return run;
}

async function trainOnce(store: RealmStore, obs: readonly Observation[], keep: number): Promise<number> {
  if (obs.length === 0) return latestVersion(store);
  for (let attempt = 0; ; attempt++) {
    const base = await load(store, await latestVersion(store));
    // Train a copy, so the cached (served) version is never changed in place.
    const ranker = base.bytes ? OnlineRanker.deserialize(base.bytes) : fresh();
    for (const o of obs) ranker.observe(o.person, o.video, o.outcome, o.at);
    ranker.expire(Date.now());
    const bytes = ranker.serialize();
    const version = base.version + 1;
    try {
      await store.db
        .insertInto('feed_models')
        .values({ version, snapshot: Buffer.from(bytes).toString('base64'), created_at: Date.now() })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err) && attempt < 20) continue; // another process stored this version first
      throw err;
    }
    cache.set(store, { version, bytes, ranker });
    await store.db
      .deleteFrom('feed_models')
      .where('version', '<=', version - keep)
      .execute();
    return version;
  }
}
