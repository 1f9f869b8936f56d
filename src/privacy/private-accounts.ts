import type { Viewer } from '../api/auth.ts';
import type { Reelm } from '../context.ts';
import { follows } from '../social/visibility.ts';

/**
 * Is this account private to this viewer? True for a private account seen by
 * anyone but its owner and its approved followers (the viewer's own follow
 * list, in their realm). Routes that list a private account's content (videos,
 * followers, following, liked videos) then answer as for a handle that does
 * not exist; its profile (handle, name, counts, isPrivate) stays visible so
 * people can ask to follow it.
 */
export async function privateToViewer(reelm: Reelm, viewer: Viewer | null, account: { userId: string; realm: string }): Promise<boolean> {
  if (!reelm.realms.has(account.realm)) return false; // not served here: the lists answer from what this realm holds (visibility rule)
  const u = await reelm.realms.get(account.realm).db.selectFrom('users').select('is_private').where('id', '=', account.userId).executeTakeFirst();
  if (Number(u?.is_private ?? 0) !== 1) return false;
  if (!viewer) return true;
  if (viewer.userId === account.userId) return false;
  return !(await follows(reelm.realms.get(viewer.realm).db, viewer.userId, account.userId));
}
