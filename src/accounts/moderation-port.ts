import type { Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';

// What a public profile shows from the moderation part (src/moderation): the
// labels a moderator put on the account (e.g. state_affiliated), from
// `moderation_holds` in the person's own realm. Typed loosely, like
// src/social/media-port.ts: the table belongs to moderation.

export async function accountLabels(db: Kysely<RealmDatabase>, userId: string): Promise<string[]> {
  const row: { labels: string } | undefined = await (db as unknown as Kysely<any>)
    .selectFrom('moderation_holds')
    .select('labels')
    .where('subject_kind', '=', 'account')
    .where('subject_id', '=', userId)
    .executeTakeFirst();
  return row?.labels ? row.labels.split(' ') : [];
}
