import { sql, type Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { dialectOf } from '../../realm/database.ts';

export interface PostSearchTable {
  video_id: string;
  caption: string;
  hashtags: string;
  sound_title: string;
  owner_handle: string;
}

/** The tsvector the PostgreSQL GIN index is built on; queries must use the identical expression. */
export const POSTGRES_SEARCH_DOCUMENT =
  "to_tsvector('simple', coalesce(caption, '') || ' ' || coalesce(hashtags, '') || ' ' || coalesce(sound_title, '') || ' ' || coalesce(owner_handle, ''))";

export const postSearchSpec = {
  name: 'post_search',
  kind: 'replica',
  purpose: 'full-text index over post_index (SQLite FTS5; on PostgreSQL a table with a GIN tsvector index)',
  columns: { video_id: 'operational', caption: 'public', hashtags: 'public', sound_title: 'public', owner_handle: 'public' },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createPostSearch(db: Kysely<any>) {
  const s = db.schema;
  if (dialectOf(db) === 'sqlite') {
    await sql
      .raw(
        `CREATE VIRTUAL TABLE post_search USING fts5(video_id UNINDEXED, caption, hashtags, sound_title, owner_handle, tokenize = 'unicode61 remove_diacritics 2')`,
      )
      .execute(db);
  } else {
    await s
      .createTable('post_search')
      .addColumn('video_id', 'text', (c) => c.primaryKey())
      .addColumn('caption', 'text', (c) => c.notNull())
      .addColumn('hashtags', 'text', (c) => c.notNull())
      .addColumn('sound_title', 'text', (c) => c.notNull())
      .addColumn('owner_handle', 'text', (c) => c.notNull())
      .execute();
    await sql.raw(`CREATE INDEX post_search_fts ON post_search USING gin (${POSTGRES_SEARCH_DOCUMENT})`).execute(db);
  }
}
