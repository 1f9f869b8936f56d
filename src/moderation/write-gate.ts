import type { Viewer } from '../api/auth.ts';
import { forbidden } from '../api/errors.ts';
import type { Reelm } from '../context.ts';

// A suspended person may sign in to read the reason and appeal, but may not
// post, comment, like, share, follow or edit their profile until the suspension
// is lifted (an appeal granted). The account's hold (`moderation_holds`, cap
// `private` on the account: only a suspension sets it) is read in their home
// realm, once per write request. Routes left open: `allowSuspended`.

export const ACCOUNT_SUSPENDED = 'account_suspended';

export async function refuseSuspendedWrites(reelm: Reelm, viewer: Viewer): Promise<void> {
  const hold = await reelm.realms
    .get(viewer.realm)
    .db.selectFrom('moderation_holds')
    .select('cap')
    .where('subject_kind', '=', 'account')
    .where('subject_id', '=', viewer.userId)
    .where('cap', '=', 'private')
    .executeTakeFirst();
  if (hold)
    throw forbidden(
      ACCOUNT_SUSPENDED,
      'Your account is suspended: you cannot post, comment, like, share or follow for now. The reason is in your inbox, where you can appeal.',
    );
}
