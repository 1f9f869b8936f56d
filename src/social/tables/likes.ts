import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { activity, createActivityTable } from './columns.ts';

export interface LikesTable {
  id: string;
  user_id: string;
  video_id: string;
  video_realm: string;
  created_at: number;
}

export const likesSpec = {
  name: 'likes',
  kind: 'resident',
  ownerColumn: 'user_id',
  purpose: 'videos a resident liked (their own activity)',
  columns: { id: 'operational', user_id: 'operational', ...activity },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createLikes(db: Kysely<any>) {
  await createActivityTable(db, 'likes');
}
