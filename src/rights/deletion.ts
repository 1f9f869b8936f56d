import type { Transaction } from 'kysely';
import { badRequest } from '../api/errors.ts';
import { verifyPassword } from '../accounts/passwords.ts';
import { ownerPrefix } from '../blobs/blob-store.ts';
import type { Reelm } from '../context.ts';
import { emitFlow } from '../flows/outbox.ts';
import type { ReceiveContext, ReceiveOutcome } from '../flows/declarations.ts';
import { detachFromGraph } from '../graph/service.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import { relay } from '../social/relay.ts';
import { redactSubject } from '../staff/audit-chain.ts';
import { purgeStores } from './erasure.ts';
import { archivePrefix, referencingTables, residentTables } from './person-data.ts';
import { RealmTransactor } from '../realm/transactor.ts';

// Account deletion (P3, P4). In ONE transaction of the home realm: every session
// ends, every row of the person in every resident table goes (the registry's
// list, so no table is forgotten), their staff-log entries are blanked under a
// signed redaction entry, and the deletions are queued as declared flows to
// every realm holding a public copy — the specific ones that keep counts exact
// (unfollow, engagement and comment removal, post removal, unblock), then
// `accounts.deleted`, which each realm answers by removing whatever still
// names the person. A system row (account_deletions) records that erasure is
// under way; `finishErasure` then deletes the files, frees the handle and purges
// the stores' leftovers (erasure.ts), and removes that row. It is idempotent:
// after a crash the sweep task runs it again until the row is gone.

export const ACCOUNT_DELETED_FLOW = 'accounts.deleted';

export async function deleteAccount(reelm: Reelm, realm: string, userId: string, password: string): Promise<void> {
  const store = reelm.realms.get(realm);
  const user = await store.db.selectFrom('users').select(['password_hash']).where('id', '=', userId).executeTakeFirst();
  if (!user || !(await verifyPassword(user.password_hash, password))) throw badRequest('wrong_password', 'Your password is not correct.');
  await store.db.transaction().execute((trx) => eraseRows(reelm, store, trx, userId));
  await finishErasure(reelm, store, userId);
}

/** Everything of the person in the home realm's database, and the flows telling the others; one transaction. */
export async function eraseRows(reelm: Reelm, store: RealmStore, trx: Transaction<RealmDatabase>, userId: string): Promise<void> {
  await trx
    .insertInto('account_deletions')
    .values({ user_id: userId, role: 'home', requested_at: Date.now(), purged_at: null })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
  // P4: no session survives the statement that starts the deletion
  await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();

  const tx = new RealmTransactor(store, trx);
  await detachFromGraph(tx, userId);
  for (const table of ['likes', 'favorites', 'comment_likes', 'shares'] as const) {
    const rows = await trx.selectFrom(table).select(['id', 'video_id', 'video_realm']).where('user_id', '=', userId).execute();
    for (const r of rows) await relay(tx, r.video_realm, 'social.engagement_removed', { key: r.id, video_id: r.video_id });
  }
  const comments = await trx.selectFrom('comments').select(['id', 'video_id', 'video_realm']).where('author_id', '=', userId).execute();
  for (const c of comments) await relay(tx, c.video_realm, 'social.comment_removed', { comment_id: c.id, video_id: c.video_id });
  const blocks = await trx.selectFrom('blocks').select(['blocked_id', 'blocked_realm']).where('blocker_id', '=', userId).execute();
  for (const b of blocks) await relay(tx, b.blocked_realm, 'social.unblock', { blocker_id: userId, blocked_id: b.blocked_id });
  const realms = [...reelm.policy.realms.keys()];
  const posts = await trx.selectFrom('posts').select('video_id').where('owner_id', '=', userId).execute();
  for (const p of posts) for (const to of realms) await relay(tx, to, 'social.post_removed', { video_id: p.video_id });
  // Last in every realm's stream (this one's too), so it lands after the flows above.
  for (const to of realms) await emitFlow(store, trx, { flow: ACCOUNT_DELETED_FLOW, to, payload: { user_id: userId } });

  // Children first; the users row last (other tables reference it).
  for (const t of residentTables(store).reverse()) {
    if (t.name !== 'users') await (trx as any).deleteFrom(t.name).where(t.ownerColumn!, '=', userId).execute();
  }
  await trx.deleteFrom('users').where('id', '=', userId).execute();
  await redactSubject(store, trx, reelm.auditKey, userId);
}

/** The accounts.deleted receiver: removes every remaining row naming the person, then leaves the leftovers to finishErasure. */
export async function receiveAccountDeleted(trx: Transaction<RealmDatabase>, p: { user_id: string }, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  // Only a person's home realm deletes them, and never while they live here.
  if (await trx.selectFrom('users').select('id').where('id', '=', p.user_id).executeTakeFirst()) return 'skipped';
  for (const t of referencingTables(ctx.store)) {
    if (t.kind === 'system') continue; // machinery: staff log (redacted at home), deletion progress
    await (trx as any)
      .deleteFrom(t.name)
      .where((eb: any) => eb.or((t.personColumns ?? []).map((c) => eb(c, '=', p.user_id))))
      .execute();
  }
  await trx
    .insertInto('account_deletions')
    .values({ user_id: p.user_id, role: ctx.store.name === ctx.from ? 'home' : 'copy', requested_at: Date.now(), purged_at: null })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
  return 'applied';
}

export type ErasureState = 'done' | 'purged_once' | 'waiting_for_delivery' | 'not_found';

/**
 * Finishes what the transaction could not do, in an order safe to repeat: the
 * person's files (home realm), the directory entry (handle and email freed),
 * then — once no undelivered message of this realm still names them — the
 * delivered copies in the outbox, the realm log lines and the database's free
 * space (erasure.ts). Returns 'waiting_for_delivery' while a message is in transit.
 */
export async function finishErasure(reelm: Reelm, store: RealmStore, userId: string): Promise<ErasureState> {
  const row = await store.db.selectFrom('account_deletions').selectAll().where('user_id', '=', userId).executeTakeFirst();
  if (!row) return 'not_found';
  if (await store.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()) return 'not_found'; // a resident again (moved back): nothing to erase
  if (row.role === 'home') {
    await store.blobs.deletePrefix(ownerPrefix(userId));
    await store.blobs.deletePrefix(archivePrefix(store, userId));
    const entry = await reelm.directory.byUserId(userId);
    if (entry?.realm === store.name) await reelm.directory.release(userId);
  }
  const inTransit = await store.db
    .selectFrom('flow_outbox')
    .select('id')
    .where('state', '=', 'pending')
    .where('payload', 'like', `%${userId}%`)
    .executeTakeFirst();
  if (inTransit) return 'waiting_for_delivery';
  // delivered (or refused) copies would otherwise stay 7 days (FLOW_RECORD_RETENTION_MS)
  await store.db.deleteFrom('flow_outbox').where('payload', 'like', `%${userId}%`).execute();
  if (!(await purgeStores(store, [userId]))) {
    // PostgreSQL had to keep row versions a long snapshot could still see: the next sweep vacuums again.
    await store.db.updateTable('account_deletions').set({ purged_at: Date.now() }).where('user_id', '=', userId).execute();
    return 'purged_once';
  }
  await store.db.deleteFrom('account_deletions').where('user_id', '=', userId).execute(); // last: a crash before it repeats the purge
  return 'done';
}

/** The sweep: finishes every erasure under way in the realm (after a crash, or once flows are delivered). */
export async function finishPendingErasures(reelm: Reelm, store: RealmStore): Promise<number> {
  const rows = await store.db.selectFrom('account_deletions').select('user_id').orderBy('requested_at').limit(100).execute();
  let done = 0;
  for (const r of rows) if ((await finishErasure(reelm, store, r.user_id)) === 'done') done++;
  return done;
}
