import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';

export type EngagementKind = 'like' | 'favorite' | 'share' | 'comment_like';

export interface VideoEngagementsTable {
  key: string;
  kind: EngagementKind;
  video_id: string;
  comment_id: string | null;
  actor_id: string | null;
  actor_realm: string | null;
  actor_handle: string | null;
  created_at: number;
}

export const videoEngagementsSpec = {
  name: 'video_engagements',
  kind: 'replica',
  personColumns: ['actor_id'],
  purpose: 'public copies of likes, favorites, shares and comment likes on this realm’s videos (counts are recounted from these)',
  columns: {
    key: 'operational',
    kind: 'operational',
    video_id: 'operational',
    comment_id: 'operational',
    actor_id: 'operational',
    actor_realm: 'operational',
    actor_handle: 'public',
    created_at: 'public',
  },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createVideoEngagements(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('video_engagements')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('video_id', 'text', (c) => c.notNull())
    .addColumn('comment_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('actor_realm', 'text')
    .addColumn('actor_handle', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('video_engagements_video').on('video_engagements').columns(['video_id', 'kind', 'created_at']).execute();
  await s.createIndex('video_engagements_comment').on('video_engagements').columns(['comment_id', 'kind']).execute();
}
