import type { Kysely } from 'kysely';
import type { TableSpec } from '../../realm/tables.ts';
import { activity, createActivityTable } from './columns.ts';

export interface SharesTable {
  id: string;
  user_id: string;
  video_id: string;
  video_realm: string;
  channel: string;
  created_at: number;
}

export const sharesSpec = {
  name: 'shares',
  kind: 'resident',
  ownerColumn: 'user_id',
  purpose: 'videos a resident shared, and how',
  columns: { id: 'operational', user_id: 'operational', channel: 'protected', ...activity },
} as const satisfies TableSpec;

/** In 0020_social (never edit: existing databases ran it). */
export async function createShares(db: Kysely<any>) {
  await createActivityTable(db, 'shares');
}
