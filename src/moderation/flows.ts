import { z } from 'zod';
import { id, time } from '../flows/field-schemas.ts';
import { defineFlow, type FlowDeclaration, type FlowPayload } from '../flows/declarations.ts';
import { NOTE_MAX, REPORT_REASONS } from './reasons.ts';
import { receiveReport } from './reports.ts';

// moderation.report: a report travels from the reporter's realm to the home
// realm of the content or account reported, where it is moderated (R13). The
// reporter's identity does not cross: `reporter_key` is an HMAC of the
// reporter and the target under the server secret, enough to count one
// person's repeated reports once, unlinkable across targets.

const EX = '01jabcdefghjkmnpqrstvwxyz2';

const reportFields = {
  report_id: { class: 'operational', schema: id, description: 'the report’s id' },
  subject_kind: { class: 'operational', schema: z.enum(['video', 'comment', 'account']), description: 'what is reported' },
  subject_id: { class: 'operational', schema: id, description: 'the video, comment or account id' },
  owner_id: { class: 'operational', schema: id, description: 'the account whose content it is' },
  reason: { class: 'operational', schema: z.enum(REPORT_REASONS), description: 'the enumerated reason' },
  note: {
    class: 'public',
    schema: z.string().max(NOTE_MAX),
    description: 'the reporter’s optional note, written for (and shown to) the moderators of the content’s realm — the API says so',
  },
  reporter_key: {
    class: 'operational',
    schema: z.string().regex(/^[0-9a-f]{64}$/),
    description: 'HMAC-SHA256(server secret, reporter id ‖ target): counts a person’s repeats once; names nobody',
  },
  created_at: { class: 'operational', schema: time, description: 'when it was reported' },
} as const;
export type ReportMessage = FlowPayload<typeof reportFields>;

export const MODERATION_FLOWS: readonly FlowDeclaration[] = [
  defineFlow({
    name: 'moderation.report',
    purpose:
      'A report about a video, comment or account reaches the moderators of the realm where that content lives (moderation runs in the creator’s home realm). The reporter’s account is not named.',
    route: 'reporter’s home realm → home realm of the reported content (same realm: applied in place)',
    retention: 'Until the target is gone (cascade with the owner’s account) — kept with the moderation decision it led to.',
    fields: reportFields,
    forgetOnDelivery: true, // the note is the reporter's words and does not name them: the reporter's realm keeps no copy
    example: {
      report_id: EX,
      subject_kind: 'video',
      subject_id: EX,
      owner_id: EX,
      reason: 'spam',
      note: '',
      reporter_key: 'a'.repeat(64),
      created_at: 1767225600000,
    },
    receive: receiveReport,
  }),
];
