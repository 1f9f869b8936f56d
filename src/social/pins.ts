import type { Viewer } from '../api/auth.ts';
import { conflict, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import { getPost, withRepublish } from './posts.ts';
import type { PostItem } from './items.ts';

// A creator pins up to three of their posts to the top of their profile, as
// the apps people know let them. The pin is part of the post (its owner's
// realm) and travels with the projection, so every realm's profile grid shows
// it: a pin or an unpin is a new version of the post, published to its reach.

export const MAX_PINNED = 3;

export async function setPinned(reelm: Reelm, viewer: Viewer, videoId: string, pinned: boolean): Promise<PostItem> {
  const store = reelm.realms.get(viewer.realm);
  const post = await store.db
    .selectFrom('posts')
    .select(['video_id', 'pinned_at'])
    .where('video_id', '=', videoId)
    .where('owner_id', '=', viewer.userId)
    .executeTakeFirst();
  if (!post) throw notFound('That post');
  if (pinned === (post.pinned_at !== null)) return (await getPost(reelm, viewer, videoId))!;
  await withRepublish(reelm, store, [videoId], async (trx) => {
    if (pinned) {
      const already = await trx
        .selectFrom('posts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('owner_id', '=', viewer.userId)
        .where('pinned_at', 'is not', null)
        .executeTakeFirstOrThrow();
      if (Number(already.n) >= MAX_PINNED) throw conflict('pin_limit', `You can pin at most ${MAX_PINNED} videos to your profile. Unpin one first.`);
    }
    await trx
      .updateTable('posts')
      .set({ pinned_at: pinned ? Date.now() : null })
      .where('video_id', '=', videoId)
      .execute();
  });
  return (await getPost(reelm, viewer, videoId))!;
}
