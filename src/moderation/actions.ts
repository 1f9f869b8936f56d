import type { Transaction } from 'kysely';
import type { Viewer } from '../api/auth.ts';
import { badRequest, conflict, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import { endOtherSessions } from '../accounts/sessions.ts';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import { writeRealmLog } from '../residency/realm-log.ts';
import { deleteComment } from '../social/engagement.ts';
import { receiveNotify } from '../social/notify.ts';
import { withRepublish } from '../social/posts.ts';
import { appendAccess } from '../staff/audit-chain.ts';
import type { Staff } from '../staff/staff.ts';
import { ACCOUNT_LABELS, VIDEO_LABELS } from './reasons.ts';
import type { ActionKind, AppealDecision, ModerationActionsTable, TargetKind } from './schema.ts';

// Moderators' actions in the content's home realm, the creator's one appeal
// and its decision. Each action, in ONE transaction: the action row, the
// reports it closes, the hold it puts on the video or account (what social
// publishes with, src/social/moderation-port.ts), the post projections
// published again (other realms' copies withdrawn when the audience
// narrows), the creator's notification, and an entry in the realm's signed
// audit chain (src/staff/audit-chain.ts).

type Trx = Transaction<RealmDatabase>;

/** What a moderator may do to each kind of target (also offered by GET /moderation/vocabulary). */
export const ALLOWED: Record<TargetKind, readonly ActionKind[]> = {
  video: ['remove', 'restrict_followers', 'age_restrict', 'label', 'warn', 'dismiss'],
  comment: ['remove', 'warn', 'dismiss'],
  account: ['label', 'warn', 'suspend', 'dismiss'],
};

export interface ActionInput {
  targetKind: TargetKind;
  targetId: string;
  action: ActionKind;
  label?: string;
  reasonCode: string;
  reasonText: string;
}

const SAYS: Record<ActionKind, string> = {
  remove: 'was removed',
  restrict_followers: 'is now shown to your followers only',
  age_restrict: 'is now shown to adults only',
  label: 'was labelled',
  warn: 'received a warning',
  suspend: 'was suspended',
  dismiss: 'was reviewed',
};

async function ownerOf(store: RealmStore, kind: TargetKind, id: string): Promise<string | undefined> {
  if (kind === 'video') return (await store.db.selectFrom('posts').select('owner_id').where('video_id', '=', id).executeTakeFirst())?.owner_id;
  if (kind === 'comment') return (await store.db.selectFrom('comments').select('author_id').where('id', '=', id).executeTakeFirst())?.author_id;
  return (await store.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst())?.id;
}

/** The videos whose projection an action on this target changes. */
async function affectedVideos(store: RealmStore, kind: TargetKind, id: string, ownerId: string): Promise<string[]> {
  if (kind === 'video') return [id];
  if (kind === 'account') return (await store.db.selectFrom('posts').select('video_id').where('owner_id', '=', ownerId).execute()).map((r) => r.video_id);
  return [];
}

/** The hold of a video or account = the combined effect of its active actions. */
async function recomputeHold(trx: Trx, kind: TargetKind, id: string, ownerId: string) {
  if (kind === 'comment') return;
  const active = await trx
    .selectFrom('moderation_actions')
    .select(['action', 'label'])
    .where('target_kind', '=', kind)
    .where('target_id', '=', id)
    .where('state', '=', 'active')
    .execute();
  let cap: 'private' | 'followers' | null = null;
  const labels = new Set<string>();
  for (const a of active) {
    if (a.action === 'remove' || a.action === 'suspend') cap = 'private';
    else if (a.action === 'restrict_followers' && cap !== 'private') cap = 'followers';
    else if (a.action === 'age_restrict') labels.add('age_restricted');
    else if (a.action === 'label' && a.label) labels.add(a.label);
  }
  await trx.deleteFrom('moderation_holds').where('subject_kind', '=', kind).where('subject_id', '=', id).execute();
  if (cap || labels.size)
    await trx
      .insertInto('moderation_holds')
      .values({ subject_kind: kind, subject_id: id, owner_id: ownerId, cap, labels: [...labels].sort().join(' '), updated_at: Date.now() })
      .execute();
}

async function audit(reelm: Reelm, store: RealmStore, trx: Trx, staff: Staff, ownerId: string, action: string, fields: string[], why: string) {
  const link = await appendAccess(store, trx, reelm.auditKey, {
    staffId: staff.id,
    staffName: staff.name,
    staffRole: staff.role,
    operator: staff.operator,
    subjectId: ownerId,
    action,
    fields,
    justification: why,
  });
  return link;
}

async function tell(
  store: RealmStore,
  trx: Trx,
  a: Pick<ModerationActionsTable, 'id' | 'owner_id' | 'target_kind' | 'target_id'>,
  cause: string,
  text: string,
  at: number,
) {
  await receiveNotify(
    trx,
    {
      recipient_id: a.owner_id,
      kind: 'moderation',
      cause_key: `${cause}:${a.id}`,
      group_key: `${cause}:${a.id}`,
      actor_id: null,
      actor_realm: null,
      actor_handle: null,
      video_id: a.target_kind === 'video' ? a.target_id : null,
      video_realm: null,
      comment_id: a.target_kind === 'comment' ? a.target_id : null,
      excerpt: text,
      at,
    },
    { store, from: store.name, messageId: `${cause}:${a.id}` },
  );
}

const noun = (k: TargetKind) => (k === 'video' ? 'Your video' : k === 'comment' ? 'Your comment' : 'Your account');

export async function act(reelm: Reelm, staff: Staff, store: RealmStore, input: ActionInput): Promise<ModerationActionsTable> {
  if (!ALLOWED[input.targetKind].includes(input.action))
    throw badRequest('action_not_allowed', `A ${input.targetKind} can be: ${ALLOWED[input.targetKind].join(', ')}.`);
  if (input.action === 'label') {
    const labels: readonly string[] = input.targetKind === 'video' ? VIDEO_LABELS : ACCOUNT_LABELS;
    if (!input.label || !labels.includes(input.label)) throw badRequest('unknown_label', `A ${input.targetKind} label is one of: ${labels.join(', ')}.`);
  }
  const reasonText = input.reasonText.trim();
  if (reasonText.length < 10) throw badRequest('reason_required', 'Say why, in a sentence the creator will read (at least 10 characters).');
  const ownerId = await ownerOf(store, input.targetKind, input.targetId);
  if (!ownerId) throw notFound(`That ${input.targetKind}`);
  const videos = await affectedVideos(store, input.targetKind, input.targetId, ownerId);
  const now = Date.now();
  const row: ModerationActionsTable = {
    id: newId(now),
    owner_id: ownerId,
    target_kind: input.targetKind,
    target_id: input.targetId,
    action: input.action,
    label: input.action === 'label' ? input.label! : null,
    reason_code: input.reasonCode,
    reason_text: reasonText,
    staff_id: staff.id,
    created_at: now,
    state: 'active',
    appeal_text: null,
    appealed_at: null,
    appeal_decision: null,
    decision_text: null,
    decided_at: null,
    decided_by: null,
  };
  const link = await withRepublish(reelm, store, videos, async (trx) => {
    await trx.insertInto('moderation_actions').values(row).execute();
    await trx
      .updateTable('reports')
      .set({ action_id: row.id })
      .where('target_kind', '=', row.target_kind)
      .where('target_id', '=', row.target_id)
      .where('action_id', 'is', null)
      .execute();
    await recomputeHold(trx, row.target_kind, row.target_id, ownerId);
    // P4: a suspension ends every session of the person
    if (row.action === 'suspend') await endOtherSessions(trx, ownerId);
    if (row.action !== 'dismiss') {
      const what = row.label ? `${SAYS[row.action]} “${row.label}”` : SAYS[row.action];
      await tell(store, trx, row, 'moderation', `${noun(row.target_kind)} ${what}: ${reasonText}`, now);
    }
    return audit(reelm, store, trx, staff, ownerId, `moderation.${row.action}`, [row.target_kind, row.target_id, row.reason_code], reasonText);
  });
  // A removed comment is deleted as its author would delete it (social.comment_removed to the video's realm).
  if (row.target_kind === 'comment' && row.action === 'remove') await deleteComment(reelm, authorAsViewer(store, ownerId), row.target_id);
  writeRealmLog(store.manifest, 'audit_chain_head', { seq: link.seq, hash: link.hash });
  return row;
}

function authorAsViewer(store: RealmStore, userId: string): Viewer {
  return { userId, realm: store.name, handle: '', sessionId: '' };
}

/** The creator appeals an action once. */
export async function appeal(reelm: Reelm, viewer: Viewer, actionId: string, text: string): Promise<ModerationActionsTable> {
  const store = reelm.realms.get(viewer.realm);
  const body = text.trim();
  if (body.length < 10) throw badRequest('appeal_text_required', 'Say why the decision is wrong (at least 10 characters).');
  return store.db.transaction().execute(async (trx) => {
    const a = await trx.selectFrom('moderation_actions').selectAll().where('id', '=', actionId).where('owner_id', '=', viewer.userId).executeTakeFirst();
    if (!a || a.action === 'dismiss') throw notFound('That moderation decision');
    if (a.appealed_at !== null) throw conflict('already_appealed', 'You have already appealed this decision; an appeal can be made once.');
    const now = Date.now();
    await trx.updateTable('moderation_actions').set({ appeal_text: body, appealed_at: now }).where('id', '=', a.id).execute();
    return { ...a, appeal_text: body, appealed_at: now };
  });
}

/** A moderator decides an appeal: uphold keeps the action, reverse lifts it (and its hold). */
export async function decideAppeal(
  reelm: Reelm,
  staff: Staff,
  store: RealmStore,
  actionId: string,
  decision: AppealDecision,
  text: string,
): Promise<ModerationActionsTable> {
  const why = text.trim();
  if (why.length < 10) throw badRequest('reason_required', 'Say why, in a sentence the creator will read (at least 10 characters).');
  const a = await store.db.selectFrom('moderation_actions').selectAll().where('id', '=', actionId).executeTakeFirst();
  if (!a) throw notFound('That moderation decision');
  if (a.appealed_at === null) throw conflict('not_appealed', 'This decision has not been appealed.');
  if (a.decided_at !== null) throw conflict('already_decided', 'This appeal has already been decided.');
  const videos = decision === 'reverse' ? await affectedVideos(store, a.target_kind, a.target_id, a.owner_id) : [];
  const now = Date.now();
  const link = await withRepublish(reelm, store, videos, async (trx) => {
    // decided once, even when two moderators answer at the same time
    const r = await trx
      .updateTable('moderation_actions')
      .set({ appeal_decision: decision, decision_text: why, decided_at: now, decided_by: staff.id, state: decision === 'reverse' ? 'reversed' : a.state })
      .where('id', '=', a.id)
      .where('decided_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw conflict('already_decided', 'This appeal has already been decided.');
    if (decision === 'reverse') await recomputeHold(trx, a.target_kind, a.target_id, a.owner_id);
    const verdict = decision === 'reverse' ? 'Your appeal was granted; the decision is reversed' : 'Your appeal was reviewed; the decision stands';
    await tell(store, trx, a, 'moderation_appeal', `${verdict}: ${why}`, now);
    return audit(reelm, store, trx, staff, a.owner_id, `moderation.appeal_${decision}`, [a.target_kind, a.target_id, a.id], why);
  });
  writeRealmLog(store.manifest, 'audit_chain_head', { seq: link.seq, hash: link.hash });
  return (await store.db.selectFrom('moderation_actions').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow()) as ModerationActionsTable;
}
