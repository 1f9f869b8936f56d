import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// Moderation tables. Everything about a person's content lives in the
// content's home realm (R13): the reports received about it, the moderators'
// actions and the person's appeals, and the holds those actions put on it.
// The reporter's own record of what they reported stays in the reporter's
// realm; only the report itself, without the reporter's identity, crosses
// (moderation.report, docs/RESIDENCY.md).

export type TargetKind = 'video' | 'comment' | 'account';
export type ActionKind = 'remove' | 'restrict_followers' | 'age_restrict' | 'label' | 'warn' | 'suspend' | 'dismiss';
export type ActionState = 'active' | 'reversed';
export type AppealDecision = 'uphold' | 'reverse';

export interface ReportsMadeTable {
  id: string;
  reporter_id: string;
  target_kind: TargetKind;
  target_id: string;
  target_realm: string;
  reason: string;
  note: string;
  created_at: number;
}

export interface ReportsTable {
  id: string;
  target_kind: TargetKind;
  target_id: string;
  /** the resident whose content (or account) it is */
  owner_id: string;
  reason: string;
  note: string;
  /** HMAC of reporter and target: one person's repeated reports count once, without naming them */
  reporter_key: string;
  created_at: number;
  /** open until a moderator acts on (or dismisses) the target */
  action_id: string | null;
}

export interface ModerationActionsTable {
  id: string;
  owner_id: string;
  target_kind: TargetKind;
  target_id: string;
  action: ActionKind;
  label: string | null;
  reason_code: string;
  reason_text: string;
  staff_id: string;
  created_at: number;
  state: ActionState;
  appeal_text: string | null;
  appealed_at: number | null;
  appeal_decision: AppealDecision | null;
  decision_text: string | null;
  decided_at: number | null;
  decided_by: string | null;
}

/** The current effect of the active actions on one video or account (what social publishes with, src/social/moderation-port.ts). */
export interface ModerationHoldsTable {
  subject_kind: 'video' | 'account';
  subject_id: string;
  owner_id: string;
  /** narrowest audience allowed: 'private' (removed / suspended) or 'followers'; null for none */
  cap: 'private' | 'followers' | null;
  /** space-separated labels */
  labels: string;
  updated_at: number;
}

export interface ModerationTables {
  reports_made: ReportsMadeTable;
  reports: ReportsTable;
  moderation_actions: ModerationActionsTable;
  moderation_holds: ModerationHoldsTable;
}

export const moderationTables = defineTables([
  {
    name: 'reports_made',
    kind: 'resident',
    ownerColumn: 'reporter_id',
    // an account target names that person (ids are unique across kinds, so target_id = their id only then):
    // their deletion removes the reporter's record of it, a move re-points target_realm
    personColumns: ['target_id'],
    purpose: 'what a resident reported (their own record; one row per target, so repeats count once)',
    columns: {
      id: 'operational',
      reporter_id: 'operational',
      target_kind: 'operational',
      target_id: 'operational',
      target_realm: 'operational',
      reason: 'operational',
      // written to be sent to the content realm's moderators (the API says so); crosses in moderation.report
      note: 'public',
      created_at: 'operational',
    },
  },
  {
    name: 'reports',
    kind: 'resident',
    ownerColumn: 'owner_id',
    // an account target is the owner's own account (target_id = owner_id): declared so the registry check knows it
    personColumns: ['target_id'],
    purpose: 'reports received about a resident’s video, comment or account, for this realm’s moderators (no reporter identity)',
    columns: {
      id: 'operational',
      target_kind: 'operational',
      target_id: 'operational',
      owner_id: 'operational',
      reason: 'operational',
      note: 'public',
      reporter_key: 'operational',
      created_at: 'operational',
      action_id: 'operational',
    },
  },
  {
    name: 'moderation_actions',
    kind: 'resident',
    ownerColumn: 'owner_id',
    // an account target is the owner's own account (target_id = owner_id): declared so the registry check knows it
    personColumns: ['target_id'],
    purpose: 'moderators’ actions on a resident’s content or account, the reason they are shown, and their one appeal',
    columns: {
      id: 'operational',
      owner_id: 'operational',
      target_kind: 'operational',
      target_id: 'operational',
      action: 'operational',
      label: 'operational',
      reason_code: 'operational',
      reason_text: 'protected',
      staff_id: 'operational',
      created_at: 'operational',
      state: 'operational',
      appeal_text: 'protected',
      appealed_at: 'operational',
      appeal_decision: 'operational',
      decision_text: 'protected',
      decided_at: 'operational',
      decided_by: 'operational',
    },
  },
  {
    name: 'moderation_holds',
    kind: 'resident',
    ownerColumn: 'owner_id',
    // an account target is the owner's own account (subject_id = owner_id): declared so the registry check knows it
    personColumns: ['subject_id'],
    purpose: 'the current audience cap and labels the active actions put on a video or account',
    columns: {
      subject_kind: 'operational',
      subject_id: 'operational',
      owner_id: 'operational',
      cap: 'operational',
      labels: 'public',
      updated_at: 'operational',
    },
  },
]);

export const moderationMigration: Migration = {
  async up(db: Kysely<any>) {
    const s = db.schema;
    const owner = (c: any) => c.notNull().references('users.id').onDelete('cascade');
    await s
      .createTable('reports_made')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('reporter_id', 'text', owner)
      .addColumn('target_kind', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('target_realm', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('reports_made_once', ['reporter_id', 'target_kind', 'target_id'])
      .execute();
    await s
      .createTable('reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('target_kind', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', owner)
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('reporter_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('action_id', 'text')
      .addUniqueConstraint('reports_once', ['target_kind', 'target_id', 'reporter_key'])
      .execute();
    await s.createIndex('reports_open').on('reports').columns(['action_id', 'target_kind', 'target_id']).execute();
    await s
      .createTable('moderation_actions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', owner)
      .addColumn('target_kind', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('label', 'text')
      .addColumn('reason_code', 'text', (c) => c.notNull())
      .addColumn('reason_text', 'text', (c) => c.notNull())
      .addColumn('staff_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('appeal_text', 'text')
      .addColumn('appealed_at', 'bigint')
      .addColumn('appeal_decision', 'text')
      .addColumn('decision_text', 'text')
      .addColumn('decided_at', 'bigint')
      .addColumn('decided_by', 'text')
      .execute();
    await s.createIndex('moderation_actions_owner').on('moderation_actions').columns(['owner_id', 'created_at']).execute();
    await s.createIndex('moderation_actions_target').on('moderation_actions').columns(['target_kind', 'target_id']).execute();
    await s
      .createTable('moderation_holds')
      .addColumn('subject_kind', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', owner)
      .addColumn('cap', 'text')
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('moderation_holds_pk', ['subject_kind', 'subject_id'])
      .execute();
  },
};
