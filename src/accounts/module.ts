import type { ReelmModule } from '../modules/module.ts';
import { RealmElsewhere } from '../api/realm-forward.ts';
import { accountRoutes } from './routes.ts';
import { sessionRoutes } from './session-routes.ts';
import { accountsMigration, accountTables, type AccountTables } from './schema.ts';
import { AccountService } from './service.ts';
import { realmOfToken, rememberSessionUser, resolveSession } from './sessions.ts';

// Accounts: people, sessions, profiles and avatars; and the one session
// resolver the API's authentication hook asks who a token belongs to.

declare module '../realm/registry.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RealmDatabase extends AccountTables {}
}

export const accountsModule: ReelmModule = {
  name: 'accounts',
  tables: accountTables,
  migrations: { '0001_accounts': accountsMigration },
  routes: async (app) => {
    await app.register(accountRoutes, { accounts: new AccountService(app.reelm) });
    await app.register(sessionRoutes);
  },
  async resolveViewer(reelm, token) {
    const realm = realmOfToken(token);
    if (!realm) return null;
    if (!reelm.realms.has(realm)) throw new RealmElsewhere(realm); // the API sends the request on to that realm's process
    const s = await resolveSession(reelm.realms.get(realm).db, token);
    if (!s) return null;
    const viewer = { userId: s.userId, realm, handle: s.handle, sessionId: s.sessionId };
    rememberSessionUser(viewer, s.user);
    return viewer;
  },
};
