import type { Kysely, Transaction } from 'kysely';
import { ageOn } from '../accounts/validation.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { TeenRules } from '../residency/policy.ts';
import type { PostProjection } from '../social/flows.ts';

// Teen protection per country (the residency policy's `teenProtection`). The
// age is computed from the birth date at the moment of each decision, never
// stored as a flag; so a person's protections end on the birthday that ends
// them. The birth date and country are protected and never leave the realm;
// only the consequences do (a post's projection carries `teen_protected`,
// refreshed by the `teen-birthdays` task when a birthday crosses a threshold).

type Db = Kysely<RealmDatabase> | Transaction<RealmDatabase>;

export interface TeenStatus {
  /** younger than the country's privateBelow: the account starts private */
  privateByDefault: boolean;
  /** younger than the country's protectedBelow: the protections apply */
  protected: boolean;
  screenTimeMinutes: number;
}

export function teenStatus(rules: TeenRules, birthDate: string, now = new Date()): TeenStatus {
  const age = ageOn(birthDate, now);
  return { privateByDefault: age < rules.privateBelow, protected: age < rules.protectedBelow, screenTimeMinutes: rules.screenTimeMinutes };
}

/** The status of a resident of this realm, now; undefined for someone who is not a resident here. */
export async function residentTeenStatus(store: RealmStore, db: Db, userId: string, now = new Date()): Promise<TeenStatus | undefined> {
  const u = await db.selectFrom('users').select(['birth_date', 'country']).where('id', '=', userId).executeTakeFirst();
  return u ? teenStatus(store.info.teenRules(u.country), u.birth_date, now) : undefined;
}

export async function isProtectedTeen(store: RealmStore, db: Db, userId: string, now = new Date()): Promise<boolean> {
  return (await residentTeenStatus(store, db, userId, now))?.protected ?? false;
}

/** Neither follows the other (in the teen's realm): a stranger may not contact a protected teen. */
export async function isStrangerTo(db: Db, teenId: string, otherId: string): Promise<boolean> {
  const a = await db.selectFrom('follows').select('followee_id').where('follower_id', '=', teenId).where('followee_id', '=', otherId).executeTakeFirst();
  const b = await db.selectFrom('follower_edges').select('follower_id').where('followee_id', '=', teenId).where('follower_id', '=', otherId).executeTakeFirst();
  return !a && !b;
}

/**
 * A protected teen's post as it is published (the owner's own settings stay in
 * `posts`, so they apply again once the protections end): comments from
 * followers at most, no duet, no download, marked teen_protected.
 */
export function teenClamp(isProtected: boolean, p: PostProjection): PostProjection {
  if (!isProtected) return { ...p, teen_protected: false };
  return {
    ...p,
    comment_policy: p.comment_policy === 'everyone' ? 'followers' : p.comment_policy,
    duet_policy: 'no_one',
    allow_download: false,
    teen_protected: true,
  };
}
