import type { SelectQueryBuilder } from 'kysely';
import type { Viewer } from '../api/auth.ts';
import { notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import { playbackLinker } from './media-port.ts';
import { decodeCursor, pageOf, toItem, type PostItem } from './items.ts';
import type { PostIndexTable } from './schema.ts';
import { MAX_PINNED } from './pins.ts';
import { tagKey } from './text.ts';
import { listStore, visibleTo } from './visibility.ts';
import { notHiddenByChoice } from '../privacy/filters.ts';
import { privateToViewer } from '../privacy/private-accounts.ts';

// Every list of posts — the Following feed, a profile grid, a hashtag page, a
// sound page — is one query over the viewer's realm's post_index, filtered by
// the same visibility rule (visibility.ts) and paged by the same keyset cursor.

type Q = SelectQueryBuilder<RealmDatabase, 'post_index', PostIndexTable>;

export interface Page {
  items: PostItem[];
  nextCursor: string | null;
}

/** `chosen`: also leave out what the viewer muted or filters by keyword (every list but a profile visited on purpose). */
async function run(reelm: Reelm, q: Q, viewerId: string | null, cursor: string | undefined, limit: number, chosen = true): Promise<Page> {
  const c = decodeCursor(cursor);
  let query = q.where((eb) => visibleTo(eb, viewerId));
  if (chosen) query = query.where((eb) => notHiddenByChoice(eb, viewerId));
  if (c)
    query = query.where((eb) =>
      eb.or([eb('post_index.created_at', '<', c.at), eb.and([eb('post_index.created_at', '=', c.at), eb('post_index.video_id', '<', c.id)])]),
    );
  const rows = await query
    .orderBy('post_index.created_at', 'desc')
    .orderBy('post_index.video_id', 'desc')
    .limit(limit + 1)
    .execute();
  const { rows: page, nextCursor } = pageOf(rows, limit, (r) => ({ at: Number(r.created_at), id: r.video_id }));
  const links = playbackLinker(reelm, viewerId);
  return { items: page.map((r) => toItem(r, links)), nextCursor };
}

/** Newest posts of the accounts I follow, from every realm (their projections are in mine). */
export async function followingFeed(reelm: Reelm, viewer: Viewer, cursor: string | undefined, limit: number): Promise<Page> {
  const db = listStore(reelm, viewer).db;
  const q = db
    .selectFrom('post_index')
    .selectAll('post_index')
    .where('post_index.owner_id', 'in', db.selectFrom('follows').select('follows.followee_id').where('follows.follower_id', '=', viewer.userId)) as Q;
  return run(reelm, q, viewer.userId, cursor, limit);
}

export async function profileVideos(reelm: Reelm, viewer: Viewer | null, handle: string, cursor: string | undefined, limit: number): Promise<Page> {
  const entry = await reelm.directory.byHandle(handle);
  if (!entry || (await privateToViewer(reelm, viewer, entry))) throw notFound('That account');
  const db = listStore(reelm, viewer, entry.realm).db;
  const mine = () => db.selectFrom('post_index').selectAll('post_index').where('post_index.owner_id', '=', entry.userId) as Q;
  // pinned posts lead the first page (newest pin first) and are left out of the dated list below them
  const page = await run(reelm, mine().where('post_index.pinned_at', 'is', null), viewer?.userId ?? null, cursor, limit, false);
  if (cursor) return page;
  const pinned = await mine()
    .where('post_index.pinned_at', 'is not', null)
    .where((eb) => visibleTo(eb, viewer?.userId ?? null))
    .orderBy('post_index.pinned_at', 'desc')
    .limit(MAX_PINNED)
    .execute();
  const links = playbackLinker(reelm, viewer?.userId ?? null);
  return { ...page, items: [...pinned.map((r) => toItem(r, links)), ...page.items] };
}

export async function hashtagPage(
  reelm: Reelm,
  viewer: Viewer | null,
  tag: string,
  cursor: string | undefined,
  limit: number,
): Promise<Page & { tag: string; videoCount: number }> {
  const key = tagKey(tag);
  const db = listStore(reelm, viewer).db;
  const q = db
    .selectFrom('post_index')
    .selectAll('post_index')
    .where('post_index.video_id', 'in', db.selectFrom('post_hashtags').select('post_hashtags.video_id').where('post_hashtags.tag', '=', key)) as Q;
  const page = await run(reelm, q, viewer?.userId ?? null, cursor, limit);
  const count = await db
    .selectFrom('post_index')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('post_index.video_id', 'in', db.selectFrom('post_hashtags').select('post_hashtags.video_id').where('post_hashtags.tag', '=', key))
    .where((eb) => visibleTo(eb, viewer?.userId ?? null))
    .executeTakeFirstOrThrow();
  return { ...page, tag: key, videoCount: Number(count.n) };
}

export async function soundPage(reelm: Reelm, viewer: Viewer | null, soundId: string, cursor: string | undefined, limit: number) {
  const db = listStore(reelm, viewer).db;
  const q = db.selectFrom('post_index').selectAll('post_index').where('post_index.sound_id', '=', soundId) as Q;
  const page = await run(reelm, q, viewer?.userId ?? null, cursor, limit);
  const visible = await db
    .selectFrom('post_index')
    .select(['sound_title', (eb) => eb.fn.countAll<number>().as('n')])
    .where('post_index.sound_id', '=', soundId)
    .where((eb) => visibleTo(eb, viewer?.userId ?? null))
    .groupBy('sound_title')
    .execute();
  if (visible.length === 0 && !cursor) throw notFound('That sound');
  // The original: the earliest visible post whose video the sound was taken from is the sound's first use.
  const first = await db
    .selectFrom('post_index')
    .select(['video_id', 'owner_handle', 'owner_id', 'video_realm'])
    .where('post_index.sound_id', '=', soundId)
    .where((eb) => visibleTo(eb, viewer?.userId ?? null))
    .orderBy('created_at', 'asc')
    .limit(1)
    .executeTakeFirst();
  return {
    ...page,
    sound: {
      id: soundId,
      title: visible[0]?.sound_title ?? '',
      videoCount: visible.reduce((n, r) => n + Number(r.n), 0),
      original: first ? { videoId: first.video_id, author: { id: first.owner_id, handle: first.owner_handle } } : null,
      // "Use this sound": the upload API takes this sound id (see docs/MEDIA.md, upload options `sound`).
      // The sound lives where its original video was made; a hint without the realm fails from any other realm.
      use: { soundId, uploadOption: { sound: first ? { id: soundId, realm: first.video_realm } : { id: soundId } } },
    },
  };
}
