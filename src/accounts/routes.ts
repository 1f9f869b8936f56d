import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer, SESSION_COOKIE } from '../api/auth.ts';
import { notFound } from '../api/errors.ts';
import { MEDIA_COOKIE, MEDIA_COOKIE_PATH, mediaCookieValue } from '../api/media-cookie.ts';
import { AVATAR_MAX_BYTES } from './avatar.ts';
import { DEVICE_COOKIE, DEVICE_HEADER, DEVICE_TTL_S } from './devices.ts';
import { SESSION_TTL_MS, sessionUser } from './sessions.ts';
import { MAX_LINKS, PASSWORD_MAX } from './validation.ts';
import type { AccountService } from './service.ts';

const homeRealm = z.object({ name: z.string(), displayName: z.string(), operator: z.string(), country: z.string(), countryName: z.string() });
const link = z.object({ url: z.string(), kind: z.string(), domain: z.string() });
export const publicProfileSchema = z.object({
  id: z.string(),
  handle: z.string(),
  displayName: z.string(),
  bio: z.string(),
  avatarUrl: z.string().nullable(),
  links: z.array(link),
  followerCount: z.number(),
  followingCount: z.number(),
  isPrivate: z.boolean(),
  realm: z.string(),
  joinedAt: z.string(),
  labels: z.array(z.string()).optional().describe('moderation labels on the account, e.g. state_affiliated (docs/MODERATION.md)'),
});
const meSchema = publicProfileSchema.extend({ email: z.string(), birthDate: z.string(), country: z.string(), homeRealm });
const sessionKind = z
  .enum(['cookie', 'bearer'])
  .default('cookie')
  .describe('cookie: sets an HttpOnly session cookie (browsers). bearer: returns a token for the Authorization header (apps, scripts).');
const sessionOut = z.object({ token: z.string().optional(), expiresAt: z.string() });
const loginSessionOut = sessionOut.extend({
  deviceToken: z
    .string()
    .optional()
    .describe('bearer sessions: send it back as the Reelm-Device header when logging in again, so failures elsewhere cannot lock this device out'),
});

export const accountRoutes: FastifyPluginAsyncZod<{ accounts: AccountService }> = async (app, opts) => {
  const accounts = opts.accounts;
  const secureCookies = app.reelm.config.http.publicUrl?.startsWith('https://') ?? false;

  function issue(
    reply: { setCookie: (n: string, v: string, o: object) => unknown },
    kind: 'cookie' | 'bearer',
    s: { token: string; expiresAt: number },
    userId: string,
  ) {
    if (kind === 'cookie') {
      reply.setCookie(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/', maxAge: SESSION_TTL_MS / 1000 });
      // viewer-bound media links are checked by nginx against it (src/api/media-cookie.ts)
      reply.setCookie(MEDIA_COOKIE, mediaCookieValue(app.reelm.secret, userId), {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
        path: MEDIA_COOKIE_PATH,
        maxAge: SESSION_TTL_MS / 1000,
      });
      return { expiresAt: new Date(s.expiresAt).toISOString() };
    }
    return { token: s.token, expiresAt: new Date(s.expiresAt).toISOString() };
  }

  app.get(
    '/api/v1/realms/home',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Which realm would hold my data? Shown at sign-up before anything is stored.',
        querystring: z.object({ country: z.string().max(8) }),
        response: { 200: homeRealm },
      },
    },
    async (req) => accounts.homeRealm(req.query.country),
  );

  app.post(
    '/api/v1/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign up. Your country picks your home realm, where all your data is kept.',
        body: z.object({
          handle: z.string().max(64),
          email: z.string().max(320),
          password: z.string().max(PASSWORD_MAX * 4),
          birthDate: z.string().max(10).describe('YYYY-MM-DD'),
          country: z.string().max(8).describe('ISO 3166-1 alpha-2, e.g. US, DE, BR'),
          displayName: z.string().max(50).optional(),
          session: sessionKind,
        }),
        response: { 201: z.object({ user: meSchema, homeRealm, session: sessionOut }) },
      },
    },
    async (req, reply) => {
      const r = await accounts.signUp(req.body, { kind: req.body.session, userAgent: req.headers['user-agent'] }, req.ip);
      const user = await accounts.me(r.homeRealm.name, r.userId);
      return reply.status(201).send({ user, homeRealm: r.homeRealm, session: issue(reply, req.body.session, r.session, r.userId) });
    },
  );

  app.post(
    '/api/v1/sessions',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Log in with handle or email and password.',
        body: z.object({ login: z.string().min(1).max(320), password: z.string().max(PASSWORD_MAX * 4), session: sessionKind }),
        response: { 201: z.object({ user: publicProfileSchema, session: loginSessionOut }) },
      },
    },
    async (req, reply) => {
      const header = req.headers[DEVICE_HEADER];
      const device = (typeof header === 'string' ? header : undefined) ?? req.cookies?.[DEVICE_COOKIE];
      const r = await accounts.logIn(req.body.login, req.body.password, req.ip, { kind: req.body.session, userAgent: req.headers['user-agent'] }, device);
      const user = accounts.toPublic(await accounts.user(r.realm, r.userId));
      const session = issue(reply, req.body.session, r.session, r.userId);
      if (req.body.session === 'cookie') {
        reply.setCookie(DEVICE_COOKIE, r.deviceToken, {
          httpOnly: true,
          sameSite: 'lax',
          secure: secureCookies,
          path: '/api/v1/sessions',
          maxAge: DEVICE_TTL_S,
        });
        return reply.status(201).send({ user, session });
      }
      return reply.status(201).send({ user, session: { ...session, deviceToken: r.deviceToken } });
    },
  );

  app.delete(
    '/api/v1/sessions/current',
    { config: { allowSuspended: true }, schema: { tags: ['accounts'], summary: 'Log out (ends this session).' } },
    async (req, reply) => {
      const v = requireViewer(req);
      await accounts.logOut(v.realm, v.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(MEDIA_COOKIE, { path: MEDIA_COOKIE_PATH });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    { schema: { tags: ['accounts'], summary: 'My account and settings, including my home realm.', response: { 200: meSchema } } },
    async (req) => {
      const v = requireViewer(req);
      return accounts.me(v.realm, v.userId, sessionUser(v)); // the row read with the session: one statement per /me
    },
  );

  app.patch(
    '/api/v1/me/profile',
    {
      schema: {
        tags: ['profiles'],
        summary: 'Edit my display name, bio, links and privacy.',
        body: z
          .object({
            displayName: z.string().max(50).optional(),
            bio: z.string().max(300).optional(),
            links: z.array(z.string().max(2048)).max(MAX_LINKS).optional(),
            isPrivate: z.boolean().optional(),
          })
          .strict(),
        response: { 200: meSchema },
      },
    },
    async (req) => {
      const v = requireViewer(req);
      return accounts.updateProfile(v.realm, v.userId, req.body);
    },
  );

  app.put(
    '/api/v1/me/password',
    {
      config: { allowSuspended: true },
      schema: {
        tags: ['accounts'],
        summary: 'Change my password. Ends all my other sessions.',
        body: z.object({ currentPassword: z.string().max(PASSWORD_MAX * 4), newPassword: z.string().max(PASSWORD_MAX * 4) }),
      },
    },
    async (req, reply) => {
      const v = requireViewer(req);
      await accounts.changePassword(v.realm, v.userId, v.sessionId, req.body.currentPassword, req.body.newPassword, req.ip);
      return reply.status(204).send();
    },
  );

  // Avatars arrive as the raw image body; the content decides what it is.
  app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: AVATAR_MAX_BYTES }, (_req, body, done) => done(null, body));
    scope.put(
      '/api/v1/me/avatar',
      { schema: { tags: ['profiles'], summary: 'Upload my avatar (JPEG, PNG, WebP, GIF or AVIF; at most 5 MB) as the request body.' } },
      async (req) => {
        const v = requireViewer(req);
        return accounts.setAvatar(v.realm, v.userId, (req.body as Buffer) ?? Buffer.alloc(0));
      },
    );
  });

  app.get(
    '/api/v1/users/:handle',
    {
      schema: {
        tags: ['profiles'],
        summary: 'Public profile by handle.',
        params: z.object({ handle: z.string().max(64) }),
        response: { 200: publicProfileSchema },
      },
    },
    async (req) => accounts.publicProfileByHandle(req.params.handle),
  );

  app.get(
    '/api/v1/users/:handle/avatar',
    { schema: { tags: ['profiles'], summary: 'Avatar image (public).', params: z.object({ handle: z.string().max(64) }) } },
    async (req, reply) => {
      const a = await accounts.avatar(req.params.handle);
      if (!a) throw notFound('That avatar');
      const blobs = app.reelm.realms.get(a.realm).blobs;
      const info = await blobs.stat(a.key);
      if (!info) throw notFound('That avatar');
      if (req.headers['if-none-match'] === info.etag) return reply.status(304).send();
      reply.header('content-type', 'image/webp').header('etag', info.etag).header('cache-control', 'public, max-age=86400').header('content-length', info.size);
      return reply.send(await blobs.get(a.key));
    },
  );
};
