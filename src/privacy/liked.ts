import type { Viewer } from '../api/auth.ts';
import { badRequest, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import { playbackLinker } from '../social/media-port.ts';
import { toItem } from '../social/items.ts';
import { listStore, visibleTo } from '../social/visibility.ts';
import { privateToViewer } from './private-accounts.ts';

// A person's liked videos, as others may see them: hidden entirely (answered
// as for a handle that does not exist) when they turned on "hide liked videos"
// or their account is private to the viewer; otherwise the videos the viewer
// may see (the visibility rule), most recently liked first.

export async function likedVideos(reelm: Reelm, viewer: Viewer | null, handle: string, cursor: string | undefined, limit: number) {
  const entry = await reelm.directory.byHandle(handle);
  if (!entry || !reelm.realms.has(entry.realm)) throw notFound('That account');
  const home = reelm.realms.get(entry.realm);
  const own = viewer?.userId === entry.userId;
  if (!own) {
    const s = await home.db.selectFrom('privacy_settings').select('hide_likes').where('user_id', '=', entry.userId).executeTakeFirst();
    if (Number(s?.hide_likes ?? 0) === 1 || (await privateToViewer(reelm, viewer, entry))) throw notFound('That account');
  }
  if (cursor !== undefined && !/^[0-9a-z]{26}$/.test(cursor))
    throw badRequest('invalid_cursor', 'That page cursor is not valid; start again from the first page.');
  let q = home.db.selectFrom('likes').select(['id', 'video_id']).where('user_id', '=', entry.userId);
  if (cursor) q = q.where('id', '<', cursor);
  const likes = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = likes.slice(0, limit);
  const ids = page.map((l) => l.video_id);
  const db = listStore(reelm, viewer, entry.realm).db;
  const rows = ids.length
    ? await db
        .selectFrom('post_index')
        .selectAll()
        .where('video_id', 'in', ids)
        .where((eb) => visibleTo(eb, viewer?.userId ?? null))
        .execute()
    : [];
  const byId = new Map(rows.map((r) => [r.video_id, r]));
  const links = playbackLinker(reelm, viewer?.userId ?? null);
  return {
    items: ids.flatMap((id) => (byId.has(id) ? [toItem(byId.get(id)!, links)] : [])),
    nextCursor: likes.length > limit ? page[page.length - 1]!.id : null,
  };
}
