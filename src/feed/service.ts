import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Viewer } from '../api/auth.ts';
import { notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import { videoPrefix } from '../media/keys.ts';
import { toItem } from '../social/items.ts';
import { playbackLinker } from '../social/media-port.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import { listStore, visibleTo } from '../social/visibility.ts';
import { affinityOf, gatherCandidates, type Candidate } from './candidates.ts';
import { localStats, personContext, videoFeatures } from './features.ts';
import { recentPositives } from './events.ts';
import { servingModel } from './models.ts';
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

export async function forYou(reelm: Reelm, viewer: Viewer | null, o: ForYouOptions) {
  const cfg = reelm.config.feed;
  const store = listStore(reelm, viewer);
  const db = store.db;
  const now = Date.now();
  const c = decode(o.cursor);
  const { version, ranker } = await servingModel(store);
  const cur: Cursor = c ?? { s: randomBytes(8).toString('hex'), p: 1, v: version };
  const uid = viewer?.userId ?? null;
  const person = uid ? await personContext(db, uid) : { personId: 'anonymous', country: o.country ?? null, interests: [] as string[] };
  const positives = uid ? await recentPositives(store, uid, cfg.coWindow) : [];
  const { candidates: cands, affinity } = await gatherCandidates(db, {
    userId: uid,
    country: person.country,
    interests: person.interests,
    positives,
    limit: cfg.perSource,
    exploreMaxPlays: cfg.exploreMaxPlays,
    now,
  });
  const ids = [...cands.keys()];
  const allowed = await visibleIds(reelm, viewer, ids);
  const hide = uid ? await excluded(db, uid, ids, cur, !!o.includeSeen) : { videos: new Set<string>(), creators: new Set(), sounds: new Set() };
  const labels = new Set(
    ids.length ? (await db.selectFrom('feed_safety_labels').select('video_id').where('video_id', 'in', ids).execute()).map((r) => r.video_id) : [],
  );
  const stats = await localStats(db, ids);
  const scored: (Scored & { pred: ReturnType<typeof ranker.predict> })[] = [];
  for (const cand of cands.values()) {
    const r = cand.row;
    if (!allowed.has(r.video_id) || hide.videos.has(r.video_id) || hide.creators.has(r.owner_id) || (r.sound_id && hide.sounds.has(r.sound_id))) continue;
    if (uid && r.owner_id === uid) continue; // one's own videos are not recommended to oneself
    const pred = ranker.predict(person, videoFeatures(r, stats.get(r.video_id), now));
    // Fresh videos compete on whether they hold attention, not on popularity they cannot have yet.
    // The model's heads, completion first (a watch is the commonest signal); fresh videos compete on whether
    // they hold attention. The person's affinity to the video's hashtags, creator and sound adds directly, so
    // what they just finished moves the very next page even before the model has seen many events.
    const model = cand.source === 'explore' ? pred.completion : pred.completion + 0.25 * pred.like + 0.25 * pred.share;
    const score = (model + affinityOf(cand, affinity) + cand.prior + 0.05 * jitter(cur.s, r.video_id)) * (labels.has(r.video_id) ? cfg.safetyFactor : 1);
    scored.push({ ...cand, score, pred });
  }
  // Signed-in: the seen filter removes earlier pages. Anonymous: no state, so the page number offsets the ranking.
  let page: typeof scored;
  if (uid) page = rerank(scored, o.limit, cfg.exploreShare) as typeof scored;
  else page = rerank(scored, o.limit * cur.p, cfg.exploreShare).slice(o.limit * (cur.p - 1)) as typeof scored;
  const whys = page.map((x) => explain(x, x.pred));
  if (uid && page.length) await remember(db, uid, cfg.seenCap, cur, page, whys, now);
  return {
    items: await render(reelm, viewer, page, whys),
    nextCursor: page.length ? encode({ ...cur, p: cur.p + 1 }) : null,
    modelVersion: version,
  };
}

async function visibleIds(reelm: Reelm, viewer: Viewer | null, ids: string[]): Promise<Set<string>> {
  const db = listStore(reelm, viewer).db;
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('post_index')
      .select('video_id')
      .where('video_id', 'in', ids.slice(i, i + 500))
      .where((eb) => visibleTo(eb, viewer?.userId ?? null))
      .execute();
    for (const r of rows) out.add(r.video_id);
  }
  return out;
}

/** "Not interested" and the seen filter: everything shown before this page of this session. */
async function excluded(db: DB, uid: string, ids: string[], cur: Cursor, includeSeen: boolean) {
  const fb = await db.selectFrom('feed_feedback').select(['kind', 'target_id']).where('user_id', '=', uid).orderBy('created_at', 'desc').limit(5000).execute();
  const pick = (k: string) => new Set(fb.filter((f) => f.kind === k).map((f) => f.target_id));
  const videos = pick('video');
  if (!includeSeen)
    for (let i = 0; i < ids.length; i += 500) {
      const seen = await db
        .selectFrom('feed_seen')
        .select(['video_id', 'session', 'page'])
        .where('user_id', '=', uid)
        .where('video_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of seen) if (!(r.session === cur.s && Number(r.page) >= cur.p)) videos.add(r.video_id);
    }
  return { videos, creators: pick('creator'), sounds: pick('sound') };
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
  const ids = page.map((c) => c.row.video_id);
  const liked = new Set<string>();
  const saved = new Set<string>();
  if (viewer && ids.length) {
    const db = reelm.realms.get(viewer.realm).db;
    for (const r of await db.selectFrom('likes').select('video_id').where('user_id', '=', viewer.userId).where('video_id', 'in', ids).execute())
      liked.add(r.video_id);
    for (const r of await db.selectFrom('favorites').select('video_id').where('user_id', '=', viewer.userId).where('video_id', 'in', ids).execute())
      saved.add(r.video_id);
  }
  return page.map((c, i) => {
    const r = c.row;
    // The HLS master is named by the media part's key function; it exists once the whole ladder is out.
    const hls = links({ ...r, play_key: `${videoPrefix(r.owner_id, r.video_id)}hls/master.m3u8`, poster_key: null }).playUrl;
    return { ...toItem(r, links), hlsUrl: hls, viewer: { liked: liked.has(r.video_id), favorited: saved.has(r.video_id) }, why: whys[i]! };
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
