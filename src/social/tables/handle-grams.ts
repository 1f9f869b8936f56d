import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { fk } from './columns.ts';

export interface HandleGramsTable {
  gram: string;
  user_id: string;
}

export const handleGramsSpec = {
  name: 'handle_grams',
  kind: 'resident',
  ownerColumn: 'user_id',
  purpose: 'trigrams of residents’ public handles, for typo-tolerant account search',
  columns: { gram: 'public', user_id: 'operational' },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createHandleGrams(db: Kysely<any>) {
  const s = db.schema;
  await s
    .createTable('handle_grams')
    .addColumn('gram', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', fk)
    .addPrimaryKeyConstraint('handle_grams_pk', ['gram', 'user_id'])
    .execute();
  await s.createIndex('handle_grams_user').on('handle_grams').columns(['user_id']).execute();
}
