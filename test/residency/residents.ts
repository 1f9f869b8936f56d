import { randomBytes } from 'node:crypto';
import { newId } from '../../src/lib/ids.ts';
import type { RealmStore } from '../../src/realm/store.ts';

// Store-level residents for tests of the machinery below the API (flows,
// audit, guard): a users row written straight into a realm's database.

export interface Resident {
  id: string;
  handle: string;
  realm: string;
}

export async function addResident(
  store: RealmStore,
  country: string,
  extra: { email?: string; birthDate?: string; bio?: string; handle?: string } = {},
): Promise<Resident> {
  const id = newId();
  const handle = extra.handle ?? `r${randomBytes(5).toString('hex')}`;
  const now = Date.now();
  await store.db
    .insertInto('users')
    .values({
      id,
      handle,
      handle_key: handle.toLowerCase(),
      email: extra.email ?? `${handle}@example.com`,
      password_hash: 'not-a-real-hash',
      birth_date: extra.birthDate ?? '1990-01-01',
      country,
      home_realm: store.name,
      display_name: handle.toUpperCase(),
      bio: extra.bio ?? '',
      avatar_key: null,
      links: '[]',
      is_private: 0,
      follower_count: 0,
      following_count: 0,
      created_at: now,
      password_changed_at: now,
    })
    .execute();
  return { id, handle, realm: store.name };
}

export async function countRows(store: RealmStore, table: string): Promise<number> {
  const r = await store.raw<{ n: number | string }>(`select count(*) as n from ${table}`);
  return Number(r.rows[0]!.n);
}
