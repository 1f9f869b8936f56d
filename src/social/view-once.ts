import type { Kysely, Transaction } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { RealmDatabase } from '../realm/registry.ts';
import { defineTables } from '../realm/tables.ts';

// Honest view counts: one person's plays of one video raise its view count at
// most once per window (config `limits.viewWindowSeconds`, default a day),
// however many distinct client event ids they send. Every play is still stored
// (history, ranking); only the play that claims the (person, video) slot counts
// (watch_events.counts_view = 1). The claim is one upsert, so concurrent
// batches (several API processes) cannot both count.

export interface ViewClaimsTable {
  user_id: string;
  video_id: string;
  counted_at: number;
}

export const viewOnceTables = defineTables([
  {
    name: 'view_claims',
    kind: 'resident',
    ownerColumn: 'user_id',
    purpose: 'when a resident’s play of a video last raised its view count (one view per person and video per window)',
    columns: { user_id: 'operational', video_id: 'operational', counted_at: 'operational' },
  },
]);

export const viewOnceMigration: Migration = {
  async up(db: Kysely<any>) {
    // plays stored before counted, as they did
    await db.schema
      .alterTable('watch_events')
      .addColumn('counts_view', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .createTable('view_claims')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('counted_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('view_claims_pk', ['user_id', 'video_id'])
      .execute();
  },
};

/** Claims the view slot of each video for this person; returns the videos whose play counts now. */
export async function claimViews(
  trx: Transaction<RealmDatabase>,
  userId: string,
  videoIds: readonly string[],
  now: number,
  windowMs: number,
): Promise<Set<string>> {
  const won = new Set<string>();
  for (const videoId of [...new Set(videoIds)].sort()) {
    const r = await trx
      .insertInto('view_claims')
      .values({ user_id: userId, video_id: videoId, counted_at: now })
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'video_id'])
          .doUpdateSet({ counted_at: now })
          .where('view_claims.counted_at', '<=', now - windowMs),
      )
      .returning('video_id')
      .executeTakeFirst();
    if (r) won.add(videoId);
  }
  return won;
}
