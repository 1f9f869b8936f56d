import type { RealmStore } from '../realm/store.ts';
import type { ModerationActionsTable, TargetKind } from './schema.ts';

// What moderators and creators read: the open reports of a realm grouped by
// target, the appeals waiting for a decision, and a person's own decisions.

export interface QueueEntry {
  target: { kind: TargetKind; id: string; ownerId: string; ownerHandle: string; preview: string };
  reports: number;
  reasons: Record<string, number>;
  notes: string[];
  firstAt: string;
  lastAt: string;
}

async function preview(store: RealmStore, kind: TargetKind, id: string): Promise<string> {
  if (kind === 'video') return (await store.db.selectFrom('posts').select('caption').where('video_id', '=', id).executeTakeFirst())?.caption ?? '';
  if (kind === 'comment') return (await store.db.selectFrom('comments').select('body').where('id', '=', id).executeTakeFirst())?.body ?? '';
  return (await store.db.selectFrom('users').select('bio').where('id', '=', id).executeTakeFirst())?.bio ?? '';
}

/** Open reports grouped by target, most reported first. */
export async function reportQueue(store: RealmStore, limit: number): Promise<QueueEntry[]> {
  const groups = await store.db
    .selectFrom('reports')
    .select([
      'target_kind',
      'target_id',
      'owner_id',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.min('created_at').as('first'),
      (eb) => eb.fn.max('created_at').as('last'),
    ])
    .where('action_id', 'is', null)
    .groupBy(['target_kind', 'target_id', 'owner_id'])
    .orderBy('n', 'desc')
    .orderBy('first', 'asc')
    .limit(limit)
    .execute();
  const out: QueueEntry[] = [];
  for (const g of groups) {
    const rows = await store.db
      .selectFrom('reports')
      .select(['reason', 'note'])
      .where('target_kind', '=', g.target_kind)
      .where('target_id', '=', g.target_id)
      .where('action_id', 'is', null)
      .orderBy('created_at', 'desc')
      .execute();
    const reasons: Record<string, number> = {};
    for (const r of rows) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    const owner = await store.db.selectFrom('users').select('handle').where('id', '=', g.owner_id).executeTakeFirst();
    out.push({
      target: {
        kind: g.target_kind,
        id: g.target_id,
        ownerId: g.owner_id,
        ownerHandle: owner?.handle ?? '',
        preview: await preview(store, g.target_kind, g.target_id),
      },
      reports: Number(g.n),
      reasons,
      notes: rows
        .map((r) => r.note)
        .filter(Boolean)
        .slice(0, 10),
      firstAt: new Date(Number(g.first)).toISOString(),
      lastAt: new Date(Number(g.last)).toISOString(),
    });
  }
  return out;
}

export interface DecisionView {
  id: string;
  target: { kind: TargetKind; id: string };
  action: string;
  label: string | null;
  reasonCode: string;
  reasonText: string;
  state: string;
  createdAt: string;
  appeal: { text: string; at: string; decision: string | null; decisionText: string | null; decidedAt: string | null } | null;
  mayAppeal: boolean;
}

const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());

export function decisionView(a: ModerationActionsTable): DecisionView {
  return {
    id: a.id,
    target: { kind: a.target_kind, id: a.target_id },
    action: a.action,
    label: a.label,
    reasonCode: a.reason_code,
    reasonText: a.reason_text,
    state: a.state,
    createdAt: iso(a.created_at)!,
    appeal:
      a.appealed_at === null
        ? null
        : { text: a.appeal_text ?? '', at: iso(a.appealed_at)!, decision: a.appeal_decision, decisionText: a.decision_text, decidedAt: iso(a.decided_at) },
    mayAppeal: a.appealed_at === null && a.action !== 'dismiss',
  };
}

/** A person's own moderation decisions (their view of why content or their account is restricted). */
export async function decisionsOf(store: RealmStore, userId: string): Promise<DecisionView[]> {
  const rows = await store.db
    .selectFrom('moderation_actions')
    .selectAll()
    .where('owner_id', '=', userId)
    .where('action', '!=', 'dismiss')
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => decisionView(r as ModerationActionsTable));
}

/** Appeals waiting for a moderator, oldest first. */
export async function pendingAppeals(store: RealmStore, limit: number): Promise<DecisionView[]> {
  const rows = await store.db
    .selectFrom('moderation_actions')
    .selectAll()
    .where('appealed_at', 'is not', null)
    .where('decided_at', 'is', null)
    .orderBy('appealed_at', 'asc')
    .limit(limit)
    .execute();
  return rows.map((r) => decisionView(r as ModerationActionsTable));
}
