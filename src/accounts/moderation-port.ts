import type { Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import { preparedQuery } from '../realm/prepared.ts';
import type { UsersTable } from './schema.ts';

// What a public profile shows from the moderation part (src/moderation): the
// labels a moderator put on the account (e.g. state_affiliated), from
// `moderation_holds` in the person's own realm. Typed loosely, like
// src/social/media-port.ts: the table belongs to moderation.

// A public profile reads the person and their labels in one statement, compiled once
// (src/realm/prepared.ts): every profile view runs it. The labels are a scalar subquery on the
// hold's primary key, not a join: on SQLite a join costs several times as much per call (see
// src/accounts/sessions.ts).
const userWithLabels = preparedQuery(['userId'], (db: Kysely<any>, p) =>
  db
    .selectFrom('users')
    .selectAll('users')
    .select((eb) =>
      eb
        .selectFrom('moderation_holds')
        .select('moderation_holds.labels')
        .where('moderation_holds.subject_kind', '=', 'account')
        .whereRef('moderation_holds.subject_id', '=', 'users.id')
        .as('moderation_labels'),
    )
    .where('users.id', '=', p.userId),
);

/** The person's users row and the labels a moderator put on the account; undefined when there is no such person. */
export async function userAndLabels(db: Kysely<RealmDatabase>, userId: string): Promise<{ user: UsersTable; labels: string[] } | undefined> {
  const [row] = (await userWithLabels(db as unknown as Kysely<any>, { userId })) as (UsersTable & { moderation_labels: string | null })[];
  if (!row) return undefined;
  const { moderation_labels, ...user } = row;
  return { user, labels: moderation_labels ? moderation_labels.split(' ') : [] };
}
