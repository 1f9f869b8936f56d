import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireViewer, viewerOf } from '../api/auth.ts';
import { AccountService } from '../accounts/service.ts';
import { pageQuery, pageSchema } from '../social/items.ts';
import { likedVideos } from './liked.ts';
import { KEYWORD_MAX_CHARS, listMutes, MAX_KEYWORDS, mute, readSettings, unmute, writeSettings } from './settings.ts';

// Privacy settings (private account, hide liked videos, keyword filters, the
// daily screen-time reminder), mutes, and a person's liked videos.

const handleParam = z.object({ handle: z.string().min(1).max(64) });
const settingsOut = z.object({
  isPrivate: z.boolean(),
  hideLikes: z.boolean(),
  keywordFilters: z.array(z.string()),
  screenTime: z.object({
    dailyReminderMinutes: z.number().describe('after this many minutes of use in a day the app shows a reminder'),
    defaultMinutes: z.number().describe('the default of the person’s country'),
  }),
  teenProtection: z.object({
    protected: z
      .boolean()
      .describe('the person’s country protects accounts of their age (comments from followers, no duet or download, no contact from strangers)'),
    privateByDefault: z.boolean(),
  }),
});
const muteState = z.object({ muted: z.boolean(), handle: z.string() });

export const privacyRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  const accounts = new AccountService(reelm);

  app.get(
    '/api/v1/me/settings',
    { schema: { tags: ['privacy'], summary: 'My privacy and well-being settings.', response: { 200: settingsOut } } },
    async (req) => readSettings(reelm, requireViewer(req)),
  );

  app.patch(
    '/api/v1/me/settings',
    {
      config: { allowSuspended: true },
      schema: {
        tags: ['privacy'],
        summary:
          'Change my privacy settings. isPrivate: only approved followers see my videos and lists, follows become requests (going public approves nothing; going private keeps my followers).',
        body: z
          .object({
            isPrivate: z.boolean().optional(),
            hideLikes: z.boolean().optional(),
            keywordFilters: z
              .array(z.string().max(KEYWORD_MAX_CHARS * 4))
              .max(MAX_KEYWORDS * 2)
              .optional()
              .describe('replaces the list: videos and comments containing any of these words are hidden from me'),
            screenTimeMinutes: z.number().int().min(1).max(1440).nullable().optional().describe('daily reminder; null: my country’s default'),
          })
          .strict(),
        response: { 200: settingsOut },
      },
    },
    async (req) => {
      const v = requireViewer(req);
      const { isPrivate, ...rest } = req.body;
      await writeSettings(reelm, v, rest);
      if (isPrivate !== undefined) await accounts.updateProfile(v.realm, v.userId, { isPrivate });
      return readSettings(reelm, v);
    },
  );

  app.put(
    '/api/v1/mutes/:handle',
    {
      config: { allowSuspended: true },
      schema: {
        tags: ['privacy'],
        summary: 'Mute an account: its videos and comments are hidden from me. It is not told.',
        params: handleParam,
        response: { 200: muteState },
      },
    },
    async (req) => mute(reelm, requireViewer(req), req.params.handle),
  );

  app.delete(
    '/api/v1/mutes/:handle',
    { config: { allowSuspended: true }, schema: { tags: ['privacy'], summary: 'Unmute an account.', params: handleParam, response: { 200: muteState } } },
    async (req) => unmute(reelm, requireViewer(req), req.params.handle),
  );

  app.get(
    '/api/v1/me/mutes',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Accounts I muted.',
        response: { 200: z.object({ items: z.array(z.object({ handle: z.string(), mutedAt: z.string() })) }) },
      },
    },
    async (req) => ({ items: await listMutes(reelm, requireViewer(req)) }),
  );

  app.get(
    '/api/v1/users/:handle/liked',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Videos this account liked, unless it hides them (or is private to you): then answered as for an unknown account.',
        params: handleParam,
        querystring: pageQuery,
        response: { 200: pageSchema },
      },
    },
    async (req) => likedVideos(reelm, viewerOf(req), req.params.handle, req.query.cursor, req.query.limit),
  );
};
