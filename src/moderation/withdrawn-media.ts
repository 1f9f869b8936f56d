import type { Reelm } from '../context.ts';

// For media serving (src/media-serving/access.ts): a removed video's files,
// and every file of a suspended account, refuse even a signed grant — except
// one bound to their owner (their own view, their data export).

export function withdrawnMediaCheck(reelm: Reelm) {
  return async (realm: string, key: string, viewer: string | undefined): Promise<boolean> => {
    const m = /^users\/([0-9a-z]{26})\/(?:videos\/([0-9a-z]{26})\/)?/.exec(key);
    if (!m || !reelm.realms.has(realm)) return false;
    const [, owner, video] = m;
    if (viewer === owner) return false;
    const holds = await reelm.realms
      .get(realm)
      .db.selectFrom('moderation_holds')
      .select('cap')
      .where('cap', '=', 'private')
      .where((eb) =>
        eb.or([
          eb.and([eb('subject_kind', '=', 'account'), eb('subject_id', '=', owner!)]),
          ...(video ? [eb.and([eb('subject_kind', '=', 'video'), eb('subject_id', '=', video)])] : []),
        ]),
      )
      .limit(1)
      .execute();
    return holds.length > 0;
  };
}
