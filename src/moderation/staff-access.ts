import { AppError, forbidden, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import type { RealmStore } from '../realm/store.ts';
import { isStaffOf, requireStaffToken, type Staff } from '../staff/staff.ts';

// Who may moderate a realm: staff of the operator running it with the
// moderator or administrator role, on record in that realm itself (a realm
// holds only its own operator's staff, src/staff/schema.ts).

const MAY_MODERATE = new Set(['moderator', 'administrator']);

export async function requireModerator(reelm: Reelm, authorization: string | undefined, realm: string): Promise<{ staff: Staff; store: RealmStore }> {
  const staff = await requireStaffToken(reelm, authorization);
  if (!reelm.policy.realms.has(realm)) throw notFound('That realm');
  if (reelm.policy.realm(realm).operator !== staff.operator) throw forbidden('other_operator', `Realm ${realm} is run by another operator.`);
  if (!MAY_MODERATE.has(staff.role)) throw forbidden('role_not_allowed', `The ${staff.role} role cannot moderate.`);
  if (!reelm.realms.has(realm)) throw new AppError(503, 'realm_not_served', `Realm ${realm} is not served by this process.`);
  const store = reelm.realms.get(realm);
  if (!(await isStaffOf(store, staff))) throw forbidden('other_operator', `Staff ${staff.id} is not staff of the operator running realm ${realm}.`);
  return { staff, store };
}
