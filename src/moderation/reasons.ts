// The enumerated vocabularies of moderation: why something is reported, why
// a moderator acted, and the labels a video or account can carry.

export const REPORT_REASONS = [
  'spam',
  'harassment',
  'hate',
  'violence',
  'nudity',
  'minor_safety',
  'self_harm',
  'misinformation',
  'dangerous_acts',
  'intellectual_property',
  'other',
] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** Labels a moderator may put on a video ('unverified' keeps it out of For You and prompts before sharing). */
export const VIDEO_LABELS = ['unverified', 'sensitive', 'misleading'] as const;
/** Labels on an account; 'state_affiliated' is shown on the profile and on every post. */
export const ACCOUNT_LABELS = ['state_affiliated'] as const;

export const NOTE_MAX = 1000;
export const REASON_TEXT_MAX = 2000;
