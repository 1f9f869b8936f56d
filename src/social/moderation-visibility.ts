import type { ExpressionBuilder } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';

// The moderation term of the one visibility rule (visibility.ts), kept apart:
// an age-restricted video (label `age_restricted`, set by a moderator in the
// creator's realm and carried by the projection) is shown only to its creator
// and to signed-in adults. The viewer's birth date is in their own realm, where
// every list runs. (Removal and suspension need no term: they cap the audience
// at private, moderation-port.ts.)

export const ADULT_AGE = 18;

/** The latest birth date (YYYY-MM-DD) of someone who is an adult today. */
export function adultBornBy(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear() - ADULT_AGE, now.getUTCMonth(), now.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

export function moderationAllows(eb: ExpressionBuilder<RealmDatabase, 'post_index'>, viewerId: string | null) {
  const unrestricted = eb('post_index.labels', 'not like', '%age_restricted%');
  if (!viewerId) return unrestricted;
  return eb.or([
    unrestricted,
    eb('post_index.owner_id', '=', viewerId),
    eb.exists(eb.selectFrom('users').select('users.id').where('users.id', '=', viewerId).where('users.birth_date', '<=', adultBornBy())),
  ]);
}
