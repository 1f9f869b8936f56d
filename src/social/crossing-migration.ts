import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// 0023: crossing rules (reach.ts, view-rollup.ts) for a realm that already has data.
//  • watch_events.report_state: how much of a play has been reported to the
//    video's realm. Rows stored before were reported in full, hence default 2.
//  • sweepUnreachable: removes what reached this realm under the old rules.

export const crossingMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('watch_events')
      .addColumn('report_state', 'integer', (c) => c.notNull().defaultTo(2))
      .execute();
    await db.schema.createIndex('watch_events_unreported').on('watch_events').columns(['report_state', 'video_id']).execute();
    const meta = await db.selectFrom('realm_meta').select('realm').executeTakeFirst();
    if (meta) await sweepUnreachable(db, meta.realm); // a new store has nothing to sweep
  },
};

/**
 * Drops projections of other realms' posts this realm may not hold (private;
 * followers-only with no resident following the creator), and blanks
 * notification excerpts about posts the recipient may not see.
 */
export async function sweepUnreachable(db: Kysely<any>, realm: string): Promise<number> {
  const stale: { video_id: string }[] = await db
    .selectFrom('post_index')
    .select('video_id')
    .where('video_realm', '<>', realm)
    .where((eb) =>
      eb.or([
        eb('audience', '=', 'private'),
        eb.and([eb('audience', '=', 'followers'), eb('owner_id', 'not in', eb.selectFrom('follows').select('followee_id'))]),
      ]),
    )
    .execute();
  for (let i = 0; i < stale.length; i += 500) {
    const ids = stale.slice(i, i + 500).map((r) => r.video_id);
    for (const table of ['post_search', 'post_hashtags', 'post_index']) await db.deleteFrom(table).where('video_id', 'in', ids).execute();
  }
  await sql`
    UPDATE notifications SET excerpt = '' WHERE excerpt <> '' AND video_id IS NOT NULL AND (
      EXISTS (SELECT 1 FROM post_index p WHERE p.video_id = notifications.video_id AND p.owner_id <> notifications.user_id AND (
        p.audience = 'private' OR (p.audience = 'followers' AND NOT EXISTS (
          SELECT 1 FROM follows f WHERE f.follower_id = notifications.user_id AND f.followee_id = p.owner_id))))
      OR (video_realm <> ${realm} AND NOT EXISTS (SELECT 1 FROM post_index p WHERE p.video_id = notifications.video_id)))`.execute(db);
  return stale.length;
}
