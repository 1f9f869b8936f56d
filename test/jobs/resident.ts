import type { RealmStore } from '../../src/realm/store.ts';
import { newId } from '../../src/lib/ids.ts';

/** Inserts a person whose home is `store`'s realm straight into its users table (no password hashing: fast). */
export async function insertResident(store: RealmStore, country = store.info.countries[0] ?? 'US'): Promise<string> {
  const id = newId();
  const now = Date.now();
  await store.db
    .insertInto('users')
    .values({
      id,
      handle: `p${id.slice(-10)}`,
      handle_key: `p${id.slice(-10)}`,
      email: `${id}@example.com`,
      password_hash: 'x',
      birth_date: '1990-01-01',
      country,
      home_realm: store.name,
      display_name: 'Test Person',
      bio: '',
      avatar_key: null,
      links: '[]',
      is_private: 0,
      follower_count: 0,
      following_count: 0,
      created_at: now,
      password_changed_at: now,
    } as any)
    .execute();
  return id;
}
