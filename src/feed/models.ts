import type { RealmStore } from '../realm/store.ts';
import { OnlineRanker, type Outcome, type PersonContext, type VideoFeatures } from './model/ranker.ts';

// One ranking model per realm, stored as numbered snapshots in the realm's own
// database (feed_models), so every process over the realm's stores sees the
// same model. A serving process keeps the latest version it has deserialised
// in memory and reloads only when the stored version changes (one indexed
// read per request). Training (trainer.ts) starts from a copy of the latest
// version and stores version+1; the version's primary key decides between
// two trainers. A person's events reach only their home realm's store, so
// only that model moves.

export interface Served {
  version: number;
  ranker: OnlineRanker;
}

interface Loaded extends Served {
  bytes: Uint8Array | null;
}

const cache = new WeakMap<RealmStore, Loaded>();
const SEED = 10;
const fresh = () => new OnlineRanker({ seed: SEED });

export async function latestVersion(store: RealmStore): Promise<number> {
  const r = await store.db
    .selectFrom('feed_models')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return r?.v == null ? 0 : Number(r.v);
}

// One deserialisation per (store, version) however many requests ask while it runs: without this, every
// request arriving while a new version loads read and deserialised the whole snapshot again (50 connections,
// a 78 MB snapshot: seconds of blocked event loop after each training run).
const loading = new WeakMap<RealmStore, Map<number, Promise<Loaded>>>();

function load(store: RealmStore, version: number): Promise<Loaded> {
  const hit = cache.get(store);
  if (hit && hit.version === version) return Promise.resolve(hit);
  let inFlight = loading.get(store);
  if (!inFlight) loading.set(store, (inFlight = new Map()));
  let p = inFlight.get(version);
  if (!p) {
    const m = inFlight;
    p = loadOnce(store, version).finally(() => m.delete(version));
    m.set(version, p);
  }
  return p;
}

async function loadOnce(store: RealmStore, version: number): Promise<Loaded> {
  let entry: Loaded;
  if (version === 0) entry = { version: 0, bytes: null, ranker: fresh() };
  else {
    const row = await store.db.selectFrom('feed_models').select('snapshot').where('version', '=', version).executeTakeFirstOrThrow();
    const bytes = new Uint8Array(Buffer.from(row.snapshot, 'base64'));
    entry = { version, bytes, ranker: OnlineRanker.deserialize(bytes) };
  }
  // A slower load of an older version never replaces a newer one.
  const now = cache.get(store);
  if (!now || now.version <= entry.version) cache.set(store, entry);
  return entry;
}

/** The model this realm serves now: its latest stored snapshot. */
export async function servingModel(store: RealmStore): Promise<Served> {
  return servedVersion(store, await latestVersion(store));
}

/** servingModel when the caller has just read the latest version itself (page-state.ts). */
export async function servedVersion(store: RealmStore, version: number): Promise<Served> {
  const e = await load(store, version);
  return { version: e.version, ranker: e.ranker };
}

export interface Observation {
  person: PersonContext;
  video: VideoFeatures;
  outcome: Outcome;
  at: number;
}

export interface NextModel {
  version: number;
  /** base64 of the snapshot, as stored */
  snapshot: string;
  /** call once the snapshot is committed: this process then serves it without reloading */
  committed(): void;
}

/** The latest stored model, trained on `obs` (a copy: the served one never changes in place), as the next version. */
export async function nextModel(store: RealmStore, obs: readonly Observation[], now: number): Promise<NextModel> {
  const base = await load(store, await latestVersion(store));
  const ranker = base.bytes ? OnlineRanker.deserialize(base.bytes) : fresh();
  for (const o of obs) ranker.observe(o.person, o.video, o.outcome, o.at);
  ranker.expire(now);
  const bytes = ranker.serialize();
  const version = base.version + 1;
  return {
    version,
    snapshot: Buffer.from(bytes).toString('base64'),
    committed: () => {
      const cur = cache.get(store);
      if (!cur || cur.version < version) cache.set(store, { version, bytes, ranker });
    },
  };
}
