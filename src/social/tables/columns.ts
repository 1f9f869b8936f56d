import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

// What several social tables share: the owner column, the classification of an
// activity row, and the one creation step of likes, favorites and shares.

/** The owner column of a resident table: a resident's id, their rows removed with their account. */
export const fk = (c: ColumnDefinitionBuilder) => c.notNull().references('users.id').onDelete('cascade');

/** A resident's activity on a video (likes, comments, favorites, shares): which video, where, when. */
export const activity = { video_id: 'operational', video_realm: 'operational', created_at: 'operational' } as const;

/** In 0020_social (never edit: existing databases ran it): likes, favorites and shares share one shape. */
export async function createActivityTable(db: Kysely<any>, table: 'likes' | 'favorites' | 'shares') {
  const s = db.schema;
  const owner = 'user_id';
  let t = s
    .createTable(table)
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn(owner, 'text', fk)
    .addColumn('video_id', 'text', (c) => c.notNull())
    .addColumn('video_realm', 'text', (c) => c.notNull());
  if (table === 'favorites') t = t.addColumn('collection_id', 'text');
  if (table === 'shares') t = t.addColumn('channel', 'text', (c) => c.notNull());
  t = t.addColumn('created_at', 'bigint', (c) => c.notNull());
  if (table !== 'shares') t = t.addUniqueConstraint(`${table}_once`, [owner, 'video_id']);
  await t.execute();
  await s.createIndex(`${table}_by_person`).on(table).columns([owner, 'created_at']).execute();
  await s.createIndex(`${table}_by_video`).on(table).columns(['video_id', 'created_at']).execute();
}
