import type { RealmStore } from '../../src/realm/store.ts';
import { addResident } from '../residency/residents.ts';

/** A person whose home is `store`'s realm, written straight into its users table (no password hashing: fast). */
export async function insertResident(store: RealmStore, country = store.info.countries[0] ?? 'US'): Promise<string> {
  return (await addResident(store, country)).id;
}
