import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { activity, createActivityTable } from './columns.ts';

export interface FavoritesTable {
  id: string;
  user_id: string;
  video_id: string;
  video_realm: string;
  collection_id: string | null;
  created_at: number;
}

export const favoritesSpec = {
  name: 'favorites',
  kind: 'resident',
  ownerColumn: 'user_id',
  purpose: 'videos a resident saved, optionally in a collection',
  columns: { id: 'operational', user_id: 'operational', collection_id: 'operational', ...activity },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createFavorites(db: Kysely<any>) {
  await createActivityTable(db, 'favorites');
}
