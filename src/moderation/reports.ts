import { createHmac } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Viewer } from '../api/auth.ts';
import { badRequest, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import type { ReceiveOutcome } from '../flows/declarations.ts';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import { visiblePost } from '../social/posts.ts';
import { relay } from '../social/relay.ts';
import type { ReportMessage } from './flows.ts';
import type { ReportReason } from './reasons.ts';
import type { TargetKind } from './schema.ts';

// Filing a report (in the reporter's realm) and receiving it (in the realm
// where the reported content lives). A person may only report what they can
// see; one person's reports of one target count once, on both sides.

export interface ReportInput {
  kind: TargetKind;
  /** video id, comment id, or for an account its id or handle */
  id: string;
  reason: ReportReason;
  note?: string;
}

interface Target {
  kind: TargetKind;
  id: string;
  ownerId: string;
  realm: string;
}

async function resolveTarget(reelm: Reelm, viewer: Viewer, input: ReportInput): Promise<Target> {
  if (input.kind === 'video') {
    const post = await visiblePost(reelm, viewer, input.id);
    return { kind: 'video', id: post.video_id, ownerId: post.owner_id, realm: post.video_realm };
  }
  if (input.kind === 'account') {
    const entry = /^[0-9a-z]{26}$/.test(input.id) ? await reelm.directory.byUserId(input.id) : await reelm.directory.byHandle(input.id);
    if (!entry) throw notFound('That account');
    return { kind: 'account', id: entry.userId, ownerId: entry.userId, realm: entry.realm };
  }
  // A comment is shown from its video's realm; the reporter must be able to see the video.
  for (const store of reelm.realms.all()) {
    const c = await store.db.selectFrom('video_comments').select(['id', 'video_id', 'author_id', 'author_realm']).where('id', '=', input.id).executeTakeFirst();
    if (!c) continue;
    await visiblePost(reelm, viewer, c.video_id);
    return { kind: 'comment', id: c.id, ownerId: c.author_id, realm: c.author_realm };
  }
  throw notFound('That comment');
}

export function reporterKey(secret: string, reporterId: string, t: { kind: string; id: string }): string {
  return createHmac('sha256', secret).update(`reelm-report-v1\n${reporterId}\n${t.kind}\n${t.id}`).digest('hex');
}

/** Files a report; `created: false` when this person had already reported this target (it still counts once). */
export async function fileReport(reelm: Reelm, viewer: Viewer, input: ReportInput): Promise<{ id: string; created: boolean; realm: string }> {
  const target = await resolveTarget(reelm, viewer, input);
  if (target.ownerId === viewer.userId) throw badRequest('cannot_report_self', 'You cannot report your own content or account.');
  const store = reelm.realms.get(viewer.realm);
  const note = (input.note ?? '').trim();
  const now = Date.now();
  return store.db.transaction().execute(async (trx) => {
    const id = newId(now);
    const r = await trx
      .insertInto('reports_made')
      .values({
        id,
        reporter_id: viewer.userId,
        target_kind: target.kind,
        target_id: target.id,
        target_realm: target.realm,
        reason: input.reason,
        note,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['reporter_id', 'target_kind', 'target_id']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) {
      const prev = await trx
        .selectFrom('reports_made')
        .select('id')
        .where('reporter_id', '=', viewer.userId)
        .where('target_kind', '=', target.kind)
        .where('target_id', '=', target.id)
        .executeTakeFirstOrThrow();
      return { id: prev.id, created: false, realm: target.realm };
    }
    await relay(store, trx, target.realm, 'moderation.report', {
      report_id: id,
      subject_kind: target.kind,
      subject_id: target.id,
      owner_id: target.ownerId,
      reason: input.reason,
      note,
      reporter_key: reporterKey(reelm.secret, viewer.userId, target),
      created_at: now,
    });
    return { id, created: true, realm: target.realm };
  });
}

export async function receiveReport(trx: Transaction<RealmDatabase>, p: ReportMessage): Promise<ReceiveOutcome> {
  const owner = await trx.selectFrom('users').select('id').where('id', '=', p.owner_id).executeTakeFirst();
  if (!owner) return 'skipped'; // the account has left this realm
  const r = await trx
    .insertInto('reports')
    .values({
      id: p.report_id,
      target_kind: p.subject_kind,
      target_id: p.subject_id,
      owner_id: p.owner_id,
      reason: p.reason,
      note: p.note,
      reporter_key: p.reporter_key,
      created_at: p.created_at,
      action_id: null,
    })
    .onConflict((oc) => oc.columns(['target_kind', 'target_id', 'reporter_key']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0 ? 'applied' : 'skipped';
}
