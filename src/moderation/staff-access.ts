import type { Reelm } from '../context.ts';
import type { RealmStore } from '../realm/store.ts';
import { requireStaffOfRealm, type Staff } from '../staff/staff.ts';

// Who may moderate a realm: staff of the operator running it with the
// moderator or administrator role, on record in that realm itself (a realm
// holds only its own operator's staff, src/staff/schema.ts).

const MAY_MODERATE = new Set(['moderator', 'administrator'] as const);

export async function requireModerator(reelm: Reelm, authorization: string | undefined, realm: string): Promise<{ staff: Staff; store: RealmStore }> {
  return requireStaffOfRealm(reelm, authorization, realm, MAY_MODERATE, 'moderate');
}
