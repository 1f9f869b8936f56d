import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Viewer } from '../api/auth.ts';
import { notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import { videoPrefix } from '../media/keys.ts';
import { toItem } from '../social/items.ts';
import { viewerStates } from '../social/viewer-state.ts';
import { playbackLinker } from '../social/media-port.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import { listStore, visibleTo } from '../social/visibility.ts';
import { adultBornBy } from '../social/moderation-visibility.ts';
import { compiledOnce } from '../realm/compiled.ts';
import { pageState } from './page-state.ts';
import { forYouFilter } from '../privacy/filters.ts';
import { isProtectedTeen } from '../privacy/teen.ts';
import { affinityOf, gatherCandidates, type Candidate } from './candidates.ts';
import { localStats, videoFeatures } from './features.ts';
import type { PersonContext, VideoFeatures } from './model/ranker.ts';
import { servedVersion, servingModel, type Served } from './models.ts';
import { rerank, type Scored } from './rerank.ts';
import { explain, type Why } from './why.ts';
import { cursorCodec } from '../api/cursor.ts';

// GET /api/v1/feed/for-you. The cursor carries the session (seed + key), the
// page number and the model version the session started on. A page is a pure
// function of the stores' state and the cursor, so two API processes over the
// same stores answer the same page; asking for the same page again answers it
// again (its own rows do not count as "already seen"), and a fresh request
// (no cursor) starts a new session with a new seed.

const cursorSchema = z.object({
  s: z.string().regex(/^[0-9a-f]{16}$/),
  p: z.number().int().min(1).max(10_000),
  v: z.number().int().min(0),
});
type Cursor = z.infer<typeof cursorSchema>;
type DB = Kysely<RealmDatabase>;

const { encode, decode } = cursorCodec(cursorSchema);

/** Seeded jitter in [0, 1): stable within a session, different on refresh. */
const jitter = (seed: string, id: string) => createHash('sha256').update(seed).update(id).digest().readUInt32BE(0) / 2 ** 32;

export interface ForYouOptions {
  cursor?: string;
  limit: number;
  country?: string;
  includeSeen?: boolean;
}

/** A scored candidate and what the model saw (so the page's reasons are predicted again, identically, for its few items). */
type Ranked = Scored & { video: VideoFeatures };

/**
 * A session's ranked candidates, built once per (person, session, model version, recent positives,
 * country, interests): everything that decides the ranking is in the key, so a rebuild in another
 * process over the same stores gives the same list. Pages are cut from it; "not interested", the
 * session's earlier pages and visibility are applied per page.
 */
interface SessionRanking {
  ranked: Ranked[];
  /** the reasons of the videos pages have shown: the model and the person are fixed by the key, so they are predicted once */
  whys: Map<string, Why>;
}
// Each session holds its candidates' rows and features (~400 candidates) and the reasons of the few it has shown.
const sessions = new Map<string, SessionRanking>(); // insertion order = least recently used first
const ranking = new Map<string, Promise<Ranked[]>>(); // sessions being ranked now

function remembered(key: string, cap: number, build?: SessionRanking): SessionRanking | undefined {
  const hit = build ?? sessions.get(key);
  if (!hit) return undefined;
  sessions.delete(key);
  sessions.set(key, hit);
  while (sessions.size > cap) sessions.delete(sessions.keys().next().value!);
  return hit;
}

export async function forYou(reelm: Reelm, viewer: Viewer | null, o: ForYouOptions) {
  const cfg = reelm.config.feed;
  const store = listStore(reelm, viewer);
  const db = store.db;
  const c = decode(o.cursor);
  const seed = c?.s ?? randomBytes(8).toString('hex');
  const uid = viewer?.userId ?? null;
  // Signed in: one read of everything about the person this page depends on, fresh every time (page-state.ts).
  const state = uid ? await pageState(store, uid, seed, c?.p ?? 1, cfg.coWindow) : null;
  const { version, ranker } = state ? await servedVersion(store, state.version) : await servingModel(store);
  const cur: Cursor = c ?? { s: seed, p: 1, v: version };
  const person = state?.person ?? { personId: 'anonymous', country: o.country ?? null, interests: [] as string[] };
  const positives = state?.positives ?? [];
  const key = [store.name, uid, cur.s, version, o.includeSeen ? 1 : 0, person.country, person.interests.join(' '), positives.join(' ')].join('|');
  let session = remembered(key, cfg.sessionCache);
  if (!session) {
    // Requests of one session that arrive while it is being ranked share that ranking.
    let building = ranking.get(key);
    if (!building) {
      building = rankSession(reelm, viewer, { ranker, version, person, positives, seed: cur.s, includeSeen: !!o.includeSeen }).finally(() =>
        ranking.delete(key),
      );
      ranking.set(key, building);
    }
    const ranked = await building;
    session = remembered(key, cfg.sessionCache) ?? remembered(key, cfg.sessionCache, { ranked, whys: new Map() })!;
  }
  const hide = state?.hide ?? { videos: new Set<string>(), creators: new Set<string>(), sounds: new Set<string>() };
  const shown = state?.shown ?? new Map<string, number>();
  let pool = session.ranked.filter((x) => {
    const r = x.row;
    if (hide.videos.has(r.video_id) || hide.creators.has(r.owner_id) || (r.sound_id && hide.sounds.has(r.sound_id))) return false;
    return o.includeSeen || !((shown.get(r.video_id) ?? cur.p) < cur.p); // the session's earlier pages
  });
  // Signed-in: the seen filter removes earlier pages. Anonymous: no state, so the page number offsets the ranking.
  const cut = (list: Ranked[]) =>
    (uid ? rerank(list, o.limit, cfg.exploreShare) : rerank(list, o.limit * cur.p, cfg.exploreShare).slice(o.limit * (cur.p - 1))) as Ranked[];
  let page = cut(pool);
  // What was visible when the session was ranked may not be now (deleted, blocked, audience changed).
  const teen = state?.teen ?? false;
  for (let gone = await invisible(reelm, viewer, teen, page); gone.size; gone = await invisible(reelm, viewer, teen, page)) {
    session.ranked = session.ranked.filter((x) => !gone.has(x.row.video_id));
    pool = pool.filter((x) => !gone.has(x.row.video_id));
    page = cut(pool);
  }
  const whys = page.map((x) => {
    let why = session.whys.get(x.row.video_id);
    if (!why) session.whys.set(x.row.video_id, (why = explain(x, ranker.predict(person, x.video))));
    return why;
  });
  const again = page.length > 0 && page.every((x) => shown.get(x.row.video_id) === cur.p); // this very page, asked again
  if (uid && page.length && !again) await remember(db, uid, cfg.seenCap, cur, page, whys, Date.now());
  return {
    items: await render(reelm, viewer, page, whys),
    nextCursor: page.length ? encode({ ...cur, p: cur.p + 1 }) : null,
    modelVersion: version,
  };
}

interface RankInput {
  ranker: Served['ranker'];
  version: number;
  person: PersonContext;
  positives: readonly string[];
  seed: string;
  includeSeen: boolean;
}

/** Candidates, filtered (visibility, seen in other sessions, one's own) and scored by the model: the session's list. */
async function rankSession(reelm: Reelm, viewer: Viewer | null, x: RankInput): Promise<Ranked[]> {
  const cfg = reelm.config.feed;
  const db = listStore(reelm, viewer).db;
  const now = Date.now();
  const uid = viewer?.userId ?? null;
  const { candidates: cands, affinity } = await gatherCandidates(db, {
    userId: uid,
    country: x.person.country,
    interests: x.person.interests,
    positives: x.positives,
    limit: cfg.perSource,
    exploreMaxPlays: cfg.exploreMaxPlays,
    now,
    modelVersion: x.version,
  });
  const ids = [...cands.keys()];
  const allowed = await visibleIds(reelm, viewer, ids);
  const seen = uid && !x.includeSeen ? await seenElsewhere(db, uid, ids, x.seed) : new Set<string>();
  const labels = new Set(
    ids.length ? (await db.selectFrom('feed_safety_labels').select('video_id').where('video_id', 'in', ids).execute()).map((r) => r.video_id) : [],
  );
  const stats = await localStats(db, ids);
  const ranked: Ranked[] = [];
  for (const cand of cands.values()) {
    const r = cand.row;
    if (!allowed.has(r.video_id) || seen.has(r.video_id)) continue;
    if (uid && r.owner_id === uid) continue; // one's own videos are not recommended to oneself
    const video = videoFeatures(r, stats.get(r.video_id), now);
    const pred = x.ranker.heads(x.person, video);
    // The model's heads, completion first (a watch is the commonest signal); fresh videos compete on whether
    // they hold attention, not on popularity they cannot have yet. The person's affinity to the video's
    // hashtags, creator and sound adds directly, so what they just finished moves the very next page even
    // before the model has seen many events.
    const model = cand.source === 'explore' ? pred.completion : pred.completion + 0.25 * pred.like + 0.25 * pred.share;
    // down-ranked when labelled: the feed's own safety labels, or a moderation label on the post (docs/MODERATION.md)
    const score =
      (model + affinityOf(cand, affinity) + cand.prior + 0.05 * jitter(x.seed, r.video_id)) *
      (labels.has(r.video_id) || r.labels !== '' ? cfg.safetyFactor : 1);
    ranked.push({ ...cand, score, video });
  }
  return ranked.sort((a, b) => b.score - a.score || (a.row.video_id < b.row.video_id ? -1 : 1));
}

async function visibleIds(reelm: Reelm, viewer: Viewer | null, ids: string[], knownTeen?: boolean): Promise<Set<string>> {
  const store = listStore(reelm, viewer);
  const db = store.db;
  const uid = viewer?.userId ?? null;
  const teen = knownTeen ?? (viewer ? await isProtectedTeen(store, db, viewer.userId) : false);
  const out = new Set<string>();
  if (ids.length === 0) return out; // nothing to check (and `in ()` is not SQL PostgreSQL takes)
  if (ids.length <= PAGE_CHECK_MAX) {
    // a page's check: one compiled statement per (page length, signed in, teen, the adult cut-off date visibleTo takes)
    const values = uid ? [uid, ...ids] : ids;
    const at = uid ? 1 : 0;
    const rows = await pageVisibility(db, `${ids.length}|${at}|${teen ? 1 : 0}|${adultBornBy()}`, values, (slot) =>
      visibility(
        db,
        uid ? slot(0) : null,
        teen,
        ids.map((_, i) => slot(i + at)),
      ),
    );
    for (const r of rows) out.add(r.video_id);
    return out;
  }
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await visibility(db, uid, teen, ids.slice(i, i + 500)).execute()) out.add(r.video_id);
  }
  return out;
}

const PAGE_CHECK_MAX = 64;

function visibility(db: DB, viewerId: string | null, teen: boolean, ids: readonly string[]) {
  return (
    db
      .selectFrom('post_index')
      .select('video_id')
      .where('video_id', 'in', ids)
      .where((eb) => visibleTo(eb, viewerId))
      .where((eb) => forYouFilter(eb, viewerId, teen))
      // moderation (docs/MODERATION.md): a video labelled unverified stays out of For You while it is, also
      // from sessions ranked before the label (this runs at ranking and again for every page)
      .where('post_index.labels', 'not like', '%unverified%')
  );
}

const pageVisibility = compiledOnce<RealmDatabase>();

/** The page's videos the viewer may no longer see. */
async function invisible(reelm: Reelm, viewer: Viewer | null, teen: boolean, page: Candidate[]): Promise<Set<string>> {
  const ids = page.map((c) => c.row.video_id);
  const ok = ids.length ? await visibleIds(reelm, viewer, ids, teen) : new Set<string>();
  return new Set(ids.filter((id) => !ok.has(id)));
}

/** The seen filter across sessions: candidates shown in any other session. */
async function seenElsewhere(db: DB, uid: string, ids: string[], session: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const seen = await db
      .selectFrom('feed_seen')
      .select(['video_id', 'session'])
      .where('user_id', '=', uid)
      .where('video_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of seen) if (r.session !== session) out.add(r.video_id);
  }
  return out;
}

/** Records what this page showed and why; keeps the newest feed.seenCap rows per person. */
async function remember(db: DB, uid: string, cap: number, cur: Cursor, page: Candidate[], whys: Why[], now: number) {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < page.length; i++) {
      const row = { session: cur.s, page: cur.p, source: page[i]!.source, why: JSON.stringify(whys[i]), shown_at: now };
      await trx
        .insertInto('feed_seen')
        .values({ user_id: uid, video_id: page[i]!.row.video_id, ...row })
        .onConflict((oc) => oc.columns(['user_id', 'video_id']).doUpdateSet(row))
        .execute();
    }
  });
  if (cur.p % 10 === 1) {
    const edge = await db
      .selectFrom('feed_seen')
      .select('shown_at')
      .where('user_id', '=', uid)
      .orderBy('shown_at', 'desc')
      .offset(cap)
      .limit(1)
      .executeTakeFirst();
    if (edge) await db.deleteFrom('feed_seen').where('user_id', '=', uid).where('shown_at', '<=', edge.shown_at).execute();
  }
}

async function render(reelm: Reelm, viewer: Viewer | null, page: Candidate[], whys: Why[]) {
  const links = playbackLinker(reelm, viewer?.userId ?? null);
  const states = viewer
    ? await viewerStates(
        reelm.realms.get(viewer.realm).db,
        viewer.userId,
        page.map((c) => ({ id: c.row.video_id, ownerId: c.row.owner_id })),
      )
    : null;
  return page.map((c, i) => {
    const r = c.row;
    // The HLS master is named by the media part's key function; it exists once the whole ladder is out.
    const hls = links({ ...r, play_key: `${videoPrefix(r.owner_id, r.video_id)}hls/master.m3u8`, poster_key: null }).playUrl;
    const viewerState = states?.get(r.video_id) ?? { liked: false, favorited: false, following: false };
    return { ...toItem(r, links), hlsUrl: hls, viewer: viewerState, why: whys[i]! };
  });
}

export async function whyThis(reelm: Reelm, viewer: Viewer, videoId: string): Promise<Why> {
  const row = await reelm.realms
    .get(viewer.realm)
    .db.selectFrom('feed_seen')
    .select('why')
    .where('user_id', '=', viewer.userId)
    .where('video_id', '=', videoId)
    .executeTakeFirst();
  if (!row) throw notFound('That video in your For You feed');
  return JSON.parse(row.why) as Why;
}
