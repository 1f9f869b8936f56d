import { intervalTask } from '../modules/module.ts';
import type { RealmStore } from '../realm/store.ts';
import { projectionFromIndex, publishProjection } from '../social/reach.ts';
import { isProtectedTeen, teenClamp } from './teen.ts';

// Teen protections end on a birthday. Decisions made in the teen's realm at
// request time compute the age then; what other realms hold — a post's
// projection with its teen_protected mark and clamped policies — is
// republished by this task when a resident's status no longer matches it
// (a birthday passed, or the policy changed). Runs hourly in every realm.

export const TEEN_REFRESH_INTERVAL_MS = 60 * 60 * 1000;
const OLDEST_PROTECTABLE_YEARS = 22; // the policy caps ages at 21

export async function refreshTeenProjections(store: RealmStore, realms: readonly string[], now = new Date()): Promise<number> {
  const marked = await store.db
    .selectFrom('post_index')
    .select('owner_id')
    .distinct()
    .where('video_realm', '=', store.name)
    .where('teen_protected', '=', 1)
    .execute();
  const cutoff = new Date(Date.UTC(now.getUTCFullYear() - OLDEST_PROTECTABLE_YEARS, now.getUTCMonth(), now.getUTCDate())).toISOString().slice(0, 10);
  const young = await store.db
    .selectFrom('post_index')
    .innerJoin('users', 'users.id', 'post_index.owner_id')
    .select('post_index.owner_id')
    .distinct()
    .where('post_index.video_realm', '=', store.name)
    .where('post_index.teen_protected', '=', 0)
    .where('users.birth_date', '>', cutoff)
    .execute();
  let changed = 0;
  for (const { owner_id } of marked)
    if (!(await isProtectedTeen(store, store.db, owner_id, now))) changed += await republishOwner(store, realms, owner_id, now);
  for (const { owner_id } of young) if (await isProtectedTeen(store, store.db, owner_id, now)) changed += await republishOwner(store, realms, owner_id, now);
  return changed;
}

/** Republishes every post of one owner with the protections that apply now (the owner's own settings from `posts`). */
async function republishOwner(store: RealmStore, realms: readonly string[], ownerId: string, now: Date): Promise<number> {
  return store.transact(async (tx) => {
    const isProtected = await isProtectedTeen(store, tx.db, ownerId, now);
    const posts = await tx.db.selectFrom('posts').selectAll().where('owner_id', '=', ownerId).orderBy('video_id').execute();
    let n = 0;
    for (const post of posts) {
      const row = await tx.db.selectFrom('post_index').selectAll().where('video_id', '=', post.video_id).executeTakeFirst();
      if (!row) continue;
      const updatedAt = Math.max(Date.now(), Number(post.updated_at) + 1, Number(row.updated_at) + 1);
      await tx.db.updateTable('posts').set({ updated_at: updatedAt }).where('video_id', '=', post.video_id).execute();
      const own = { comment_policy: post.comment_policy, duet_policy: post.duet_policy, allow_download: post.allow_download === 1, updated_at: updatedAt };
      await publishProjection(tx, realms, teenClamp(isProtected, { ...projectionFromIndex(row), ...own }));
      n++;
    }
    return n;
  });
}

export const teenBirthdaysTask = intervalTask(
  'teen-birthdays',
  () => TEEN_REFRESH_INTERVAL_MS,
  async (reelm, scope) => {
    for (const store of scope.realms) await refreshTeenProjections(store, [...reelm.policy.realms.keys()]).catch((err) => scope.onError(err));
  },
);
