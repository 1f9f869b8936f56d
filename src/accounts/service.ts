import { oneLine, stripUnsafeChars } from '../lib/unsafe-chars.ts';
import { handleKeyOf } from '../directory/directory.ts';
import type { Reelm } from '../context.ts';
import { badRequest, conflict, notFound, unauthorized } from '../api/errors.ts';
import { RealmElsewhere } from '../api/realm-forward.ts';
import { isUniqueViolation } from '../realm/database.ts';
import { newId } from '../lib/ids.ts';
import { countryName } from '../residency/countries.ts';
import type { UsersTable } from './schema.ts';
import type { Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import { preparedQuery } from '../realm/prepared.ts';
import { publishProfileSnapshot } from '../graph/service.ts';
import { applyAccountPrivacy } from '../privacy/private-posts.ts';
import { teenStatus } from '../privacy/teen.ts';
import { putOwned } from '../blobs/resident-blobs.ts';
import { processAvatar } from './avatar.ts';
import { addressStore, checkFailures, clearFailures, consume, recordFailure, type Subject } from '../limits/limiter.ts';
import { deviceOf, newDeviceToken } from './devices.ts';
import { userAndLabels } from './moderation-port.ts';
import { burnVerify, hashPassword, verifyPassword } from './passwords.ts';
import { createSession, endOtherSessions, endSession } from './sessions.ts';
import { ageOn, checkLinks, checkPassword, normalizeEmail, normalizeHandle, type ProfileLink } from './validation.ts';
import { RealmTransactor } from '../realm/transactor.ts';

export interface SignUpInput {
  handle: string;
  email: string;
  password: string;
  birthDate: string;
  country: string;
  displayName?: string;
}

export interface HomeRealm {
  name: string;
  displayName: string;
  operator: string;
  country: string;
  countryName: string;
}

export interface PublicProfile {
  id: string;
  handle: string;
  displayName: string;
  bio: string;
  avatarUrl: string | null;
  links: ProfileLink[];
  followerCount: number;
  followingCount: number;
  isPrivate: boolean;
  realm: string;
  joinedAt: string;
  /** moderation labels (moderation-port.ts), on the public profile only */
  labels?: string[];
}

// every profile view and signed-in settings read: compiled once (src/realm/prepared.ts)
const userById = preparedQuery(['id'], (db: Kysely<RealmDatabase>, p) => db.selectFrom('users').selectAll().where('id', '=', p.id));

export class AccountService {
  readonly #reelm: Reelm;
  constructor(reelm: Reelm) {
    this.#reelm = reelm;
  }

  homeRealm(country: string): HomeRealm {
    const code = country.trim().toUpperCase();
    const realmName = /^[A-Z]{2}$/.test(code) ? this.#reelm.policy.homeRealmFor(code) : undefined;
    if (!realmName) throw badRequest('unknown_country', `"${country}" is not a country code we know. Use an ISO 3166-1 code such as US, DE or BR.`);
    const r = this.#reelm.policy.realm(realmName);
    return { name: r.name, displayName: r.displayName, operator: r.operatorName, country: code, countryName: countryName(code) };
  }

  async signUp(input: SignUpInput, session: { kind: 'cookie' | 'bearer'; userAgent?: string }, address: string) {
    const home = this.homeRealm(input.country);
    // another process serves that realm: the request goes there before anything is counted or claimed here
    if (!this.#reelm.realms.has(home.name)) throw new RealmElsewhere(home.name);
    await consume(this.#reelm, addressStore(this.#reelm), 'signUp', [{ kind: 'address', id: address }]);
    const { handle, key } = normalizeHandle(input.handle);
    const email = normalizeEmail(input.email);
    const minAge = this.#reelm.policy.minimumAgeFor(home.country);
    if (ageOn(input.birthDate) < minAge) {
      throw badRequest('under_minimum_age', `You need to be at least ${minAge} to use Reelm in ${home.countryName}.`);
    }
    // Younger than the country's privateBelow: the account starts private (src/privacy/teen.ts).
    const startsPrivate = teenStatus(this.#reelm.policy.teenRulesFor(home.country), input.birthDate).privateByDefault;
    checkPassword(input.password, { handle, email });
    const displayName = oneLine(input.displayName ?? handle);
    if (!displayName) throw badRequest('invalid_display_name', 'Display name cannot be empty.');

    const passwordHash = await hashPassword(input.password);
    const userId = newId();
    const claim = await this.#reelm.directory.claim(userId, home.name, key, email);
    if (claim === 'handle_taken') throw conflict('handle_taken', `The handle "${handle}" is already taken.`);
    if (claim === 'email_taken') throw conflict('email_taken', 'An account with that email address already exists. Try logging in.');

    const store = this.#reelm.realms.get(home.name);
    const now = Date.now();
    try {
      await store.db
        .insertInto('users')
        .values({
          id: userId,
          handle,
          handle_key: key,
          email,
          password_hash: passwordHash,
          birth_date: input.birthDate,
          country: home.country,
          home_realm: home.name,
          display_name: displayName,
          bio: '',
          avatar_key: null,
          links: '[]',
          is_private: startsPrivate ? 1 : 0,
          follower_count: 0,
          following_count: 0,
          created_at: now,
          password_changed_at: now,
        })
        .execute();
    } catch (err) {
      await this.#reelm.directory.release(userId);
      if (isUniqueViolation(err)) throw conflict('handle_taken', `The handle "${handle}" or that email is already taken.`);
      throw err;
    }
    await this.#reelm.directory.activate(userId);
    const s = await createSession(store.db, home.name, userId, session.kind, session.userAgent);
    return { userId, handle, homeRealm: home, session: s };
  }

  /**
   * Failed attempts are counted per account — the same counter whether the handle or the email is
   * typed — and per client address (docs/SECURITY.md). A device that logged in to the account before
   * (`deviceToken`) has its own per-account allowance instead of the shared one.
   */
  async logIn(login: string, password: string, address: string, session: { kind: 'cookie' | 'bearer'; userAgent?: string }, deviceToken?: string) {
    const reelm = this.#reelm;
    const trimmed = login.trim();
    const isEmail = trimmed.indexOf('@') > 0;
    const entry = isEmail ? await reelm.directory.byEmail(trimmed.normalize('NFC').toLowerCase()) : await reelm.directory.byHandle(trimmed);
    // the account lives in a realm another process serves: the request goes there before any attempt is counted here
    if (entry && !reelm.realms.has(entry.realm)) throw new RealmElsewhere(entry.realm);
    const known = entry && reelm.realms.has(entry.realm) ? entry : undefined;
    const counters = known ? reelm.realms.get(known.realm) : addressStore(reelm);
    const device = known ? deviceOf(reelm.secret, known.userId, deviceToken) : undefined;
    const account: Subject = device
      ? { kind: 'device', id: `${known!.userId}:${device}` }
      : { kind: 'account', id: known ? known.userId : `unknown:${isEmail ? trimmed.toLowerCase() : handleKeyOf(trimmed)}` };
    const byAddress: Subject[] = [{ kind: 'address', id: address }];
    await checkFailures(reelm, counters, 'logIn', [account]);
    await checkFailures(reelm, addressStore(reelm), 'logIn', byAddress);
    const user = known
      ? await reelm.realms.get(known.realm).db.selectFrom('users').select(['id', 'handle', 'password_hash']).where('id', '=', known.userId).executeTakeFirst()
      : undefined;
    const ok = user ? await verifyPassword(user.password_hash, password) : (await burnVerify(password), false);
    if (!user || !ok || !known) {
      await recordFailure(reelm, counters, 'logIn', [account]);
      await recordFailure(reelm, addressStore(reelm), 'logIn', byAddress);
      throw unauthorized('That handle or email and password do not match an account.');
    }
    await clearFailures(reelm, counters, 'logIn', account);
    const s = await createSession(reelm.realms.get(known.realm).db, known.realm, user.id, session.kind, session.userAgent);
    return { userId: user.id, handle: user.handle, realm: known.realm, session: s, deviceToken: device ? deviceToken! : newDeviceToken(reelm.secret, user.id) };
  }

  async logOut(realm: string, sessionId: string) {
    await endSession(this.#reelm.realms.get(realm).db, sessionId);
  }

  /** Changing the password ends every other session of the person. */
  /** Wrong current passwords are counted like failed log-ins (per account and per address). */
  async changePassword(realm: string, userId: string, sessionId: string, current: string, next: string, address: string) {
    const store = this.#reelm.realms.get(realm);
    const db = store.db;
    const subjects: Subject[] = [
      { kind: 'account', id: userId },
      { kind: 'address', id: address },
    ];
    await checkFailures(this.#reelm, store, 'passwordChange', subjects);
    const user = await db.selectFrom('users').select(['handle', 'email', 'password_hash']).where('id', '=', userId).executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.password_hash, current))) {
      await recordFailure(this.#reelm, store, 'passwordChange', subjects);
      throw badRequest('wrong_password', 'Your current password is not correct.');
    }
    await clearFailures(this.#reelm, store, 'passwordChange', subjects[0]!);
    checkPassword(next, { handle: user.handle, email: user.email });
    const hash = await hashPassword(next);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: hash, password_changed_at: Date.now() }).where('id', '=', userId).execute();
      await endOtherSessions(trx, userId, sessionId);
    });
  }

  async user(realm: string, userId: string): Promise<UsersTable> {
    const [row] = await userById(this.#reelm.realms.get(realm).db, { id: userId });
    if (!row) throw notFound('That account');
    return row;
  }

  /** The person's own settings view: includes protected fields, never shown to others. */
  async me(realm: string, userId: string, known?: UsersTable) {
    const u = known ?? (await this.user(realm, userId));
    return { ...this.toPublic(u), email: u.email, birthDate: u.birth_date, country: u.country, homeRealm: this.homeRealm(u.country) };
  }

  async updateProfile(realm: string, userId: string, patch: { displayName?: string; bio?: string; links?: string[]; isPrivate?: boolean }) {
    const set: Partial<UsersTable> = {};
    if (patch.displayName !== undefined) {
      const d = oneLine(patch.displayName);
      if (!d) throw badRequest('invalid_display_name', 'Display name cannot be empty.');
      set.display_name = d;
    }
    if (patch.bio !== undefined) set.bio = stripUnsafeChars(patch.bio);
    if (patch.links !== undefined) set.links = JSON.stringify(checkLinks(patch.links));
    if (patch.isPrivate !== undefined) set.is_private = patch.isPrivate ? 1 : 0;
    if (Object.keys(set).length > 0) {
      const store = this.#reelm.realms.get(realm);
      const wasPrivate = set.is_private !== undefined && (await this.user(realm, userId)).is_private === 1;
      await store.db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set(set).where('id', '=', userId).execute();
        // A private account's posts are followers-only (src/privacy/private-posts.ts).
        if (set.is_private !== undefined && (set.is_private === 1) !== wasPrivate)
          await applyAccountPrivacy(new RealmTransactor(store, trx), [...this.#reelm.policy.realms.keys()], userId, set.is_private === 1);
        // realms showing this person (edges, post projections, comment copies) keep a public snapshot of the profile
        if (set.display_name !== undefined) await publishProfileSnapshot(new RealmTransactor(store, trx), userId, [...this.#reelm.policy.realms.keys()]);
      });
    }
    return this.me(realm, userId);
  }

  /** Validates and re-encodes the picture, stores it in the home realm, then removes the old one. */
  async setAvatar(realm: string, userId: string, image: Buffer) {
    const webp = await processAvatar(image);
    const store = this.#reelm.realms.get(realm);
    const old = (await this.user(realm, userId)).avatar_key;
    const key = `users/${userId}/avatar/${newId()}.webp`;
    await putOwned(store, userId, key, webp, { contentType: 'image/webp' });
    try {
      await store.db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set({ avatar_key: key }).where('id', '=', userId).execute();
        await publishProfileSnapshot(new RealmTransactor(store, trx), userId, [...this.#reelm.policy.realms.keys()]);
      });
    } catch (err) {
      await store.blobs.delete(key);
      throw err;
    }
    if (old) await store.blobs.delete(old);
    return this.me(realm, userId);
  }

  /** Routes a handle to its realm through the directory. */
  async locate(handle: string): Promise<{ userId: string; realm: string } | undefined> {
    const entry = await this.#reelm.directory.byHandle(handle);
    return entry && this.#reelm.realms.has(entry.realm) ? { userId: entry.userId, realm: entry.realm } : undefined;
  }

  async publicProfileByHandle(handle: string): Promise<PublicProfile> {
    const loc = await this.locate(handle);
    if (!loc) throw notFound('That account');
    const found = await userAndLabels(this.#reelm.realms.get(loc.realm).db, loc.userId);
    if (!found) throw notFound('That account');
    return { ...this.toPublic(found.user), labels: found.labels };
  }

  async avatar(handle: string): Promise<{ realm: string; key: string } | undefined> {
    const loc = await this.locate(handle);
    if (!loc) return undefined;
    const key = (await this.user(loc.realm, loc.userId)).avatar_key;
    return key ? { realm: loc.realm, key } : undefined;
  }

  toPublic(u: UsersTable): PublicProfile {
    return {
      id: u.id,
      handle: u.handle,
      displayName: u.display_name,
      bio: u.bio,
      avatarUrl: u.avatar_key ? `/api/v1/users/${u.handle}/avatar?v=${u.avatar_key.slice(-31, -5)}` : null,
      links: JSON.parse(u.links) as ProfileLink[],
      followerCount: u.follower_count,
      followingCount: u.following_count,
      isPrivate: u.is_private === 1,
      realm: u.home_realm,
      joinedAt: new Date(u.created_at).toISOString(),
    };
  }
}
