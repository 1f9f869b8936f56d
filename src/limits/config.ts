import { z } from 'zod';

// The `limits` configuration section: abuse limits per account and per client
// address (sliding windows), the honest-count windows and the comment spam
// heuristics. Defaults are documented in docs/SECURITY.md.

const rule = (perAccount: number, perAddress: number, windowSeconds: number) =>
  z
    .object({
      /** requests (or, for watch events, events) one account may make per window; 0 turns it off */
      perAccount: z.coerce.number().int().min(0).default(perAccount),
      /** the same for one client address, over every account using it */
      perAddress: z.coerce.number().int().min(0).default(perAddress),
      windowSeconds: z.coerce.number().int().positive().default(windowSeconds),
    })
    .prefault({});

export const limitsConfigSchema = z
  .object({
    actions: z
      .object({
        signUp: rule(0, 10, 3600),
        /** failed log-ins; a device that logged in before has its own per-account allowance */
        logIn: rule(5, 30, 900),
        /** failed password changes (wrong current password) */
        passwordChange: rule(5, 30, 900),
        comment: rule(30, 120, 600),
        share: rule(60, 240, 3600),
        follow: rule(100, 400, 3600),
        like: rule(300, 1200, 3600),
        /** counted in events, not requests */
        watchEvents: rule(5000, 20000, 3600),
        /** per account: media.uploadsPerHour (counted from the uploads themselves) */
        upload: rule(0, 60, 3600),
      })
      .prefault({}),
    /** one person's plays of one video raise its view count at most once per this window */
    viewWindowSeconds: z.coerce.number().int().positive().default(86_400),
    /** one person's shares of one video raise its share count at most once per this window */
    shareWindowSeconds: z.coerce.number().int().positive().default(86_400),
    comments: z
      .object({
        /** accounts younger than this may not post links in comments */
        newAccountHours: z.coerce.number().min(0).default(24),
        /** the same text by the same person, more often than this within the window, is refused */
        maxRepeats: z.coerce.number().int().min(1).default(2),
        repeatWindowSeconds: z.coerce.number().int().positive().default(3600),
        maxMentions: z.coerce.number().int().min(0).default(5),
      })
      .prefault({}),
  })
  .prefault({});

export type LimitsConfig = z.infer<typeof limitsConfigSchema>;
export type LimitAction = keyof LimitsConfig['actions'];
