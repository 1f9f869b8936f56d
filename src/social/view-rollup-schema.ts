import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// watch_events.report_state: how much of a play has been reported to the
// video's realm (see view-rollup.ts). Rows stored before this migration were
// already reported in full, hence the default 2.

export const viewRollupMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('watch_events')
      .addColumn('report_state', 'integer', (c) => c.notNull().defaultTo(2))
      .execute();
    await db.schema.createIndex('watch_events_unreported').on('watch_events').columns(['report_state', 'video_id']).execute();
  },
};
