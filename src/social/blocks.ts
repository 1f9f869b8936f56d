import { handleKeyOf } from '../directory/directory.ts';
import type { Viewer } from '../api/auth.ts';
import { badRequest, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import { relay } from './relay.ts';
import { emitBlock } from '../modules/blocks.ts';

// Blocking an account: stored in the blocker's realm (their own data) and
// announced to the blocked person's realm (social.block), so that realm hides
// the blocker's content from them on every list path (see visibility.ts).

async function target(reelm: Reelm, handle: string) {
  const e = await reelm.directory.byHandle(handle);
  if (!e || !reelm.realms.has(e.realm)) throw notFound('That account');
  const u = await reelm.realms.get(e.realm).db.selectFrom('users').select(['id', 'handle']).where('id', '=', e.userId).executeTakeFirst();
  if (!u) throw notFound('That account');
  return { userId: u.id, handle: u.handle, realm: e.realm };
}

export async function block(reelm: Reelm, viewer: Viewer, handle: string) {
  const t = await target(reelm, handle);
  if (t.userId === viewer.userId) throw badRequest('cannot_block_self', 'You cannot block yourself.');
  const store = reelm.realms.get(viewer.realm);
  await store.transact(async (tx) => {
    const r = await tx.db
      .insertInto('blocks')
      .values({ blocker_id: viewer.userId, blocked_id: t.userId, blocked_realm: t.realm, blocked_handle: t.handle, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['blocker_id', 'blocked_id']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return;
    // the follow edges between them end with the block (graph's onBlock listener)
    await emitBlock(tx, 'blocker', { blockerId: viewer.userId, blocked: { id: t.userId, realm: t.realm } });
    await relay(tx, t.realm, 'social.block', { blocker_id: viewer.userId, blocked_id: t.userId, at: Date.now() });
  });
  return { blocked: true, handle: t.handle };
}

export async function unblock(reelm: Reelm, viewer: Viewer, handle: string) {
  const store = reelm.realms.get(viewer.realm);
  const key = handleKeyOf(handle);
  // By the handle they had when blocked, or their current one (handles can change).
  const current = await reelm.directory.byHandle(key);
  const hit = await store.db
    .selectFrom('blocks')
    .selectAll()
    .where('blocker_id', '=', viewer.userId)
    .where((eb) => eb.or([eb('blocked_id', '=', current?.userId ?? ''), eb(eb.fn('lower', ['blocked_handle']), '=', key)]))
    .executeTakeFirst();
  if (!hit) throw notFound('That block');
  await store.transact(async (tx) => {
    await tx.db.deleteFrom('blocks').where('blocker_id', '=', viewer.userId).where('blocked_id', '=', hit.blocked_id).execute();
    await relay(tx, hit.blocked_realm, 'social.unblock', { blocker_id: viewer.userId, blocked_id: hit.blocked_id });
  });
  return { blocked: false, handle: hit.blocked_handle };
}

export async function listBlocks(reelm: Reelm, viewer: Viewer) {
  const rows = await reelm.realms
    .get(viewer.realm)
    .db.selectFrom('blocks')
    .select(['blocked_handle', 'created_at'])
    .where('blocker_id', '=', viewer.userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ handle: r.blocked_handle, blockedAt: new Date(Number(r.created_at)).toISOString() }));
}
