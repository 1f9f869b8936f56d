import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { fk } from './columns.ts';

export interface FavoriteCollectionsTable {
  id: string;
  user_id: string;
  name: string;
  created_at: number;
}

export const favoriteCollectionsSpec = {
  name: 'favorite_collections',
  kind: 'resident',
  ownerColumn: 'user_id',
  purpose: 'a resident’s named collections of saved videos',
  columns: { id: 'operational', user_id: 'operational', name: 'protected', created_at: 'operational' },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createFavoriteCollections(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('favorite_collections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', fk)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('favorite_collections_name', ['user_id', 'name'])
    .execute();
}
