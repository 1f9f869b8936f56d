import { z } from 'zod';

// Moderation settings (config key `moderation`): information banners shown on
// videos with chosen hashtags, e.g. elections →
//   { "hashtags": ["election2026"], "text": "Find official election information", "url": "https://…" }

const banner = z.object({
  hashtags: z.array(z.string().min(1).max(100)).min(1),
  text: z.string().min(1).max(300),
  url: z.url({ protocol: /^https$/ }).optional(),
});

export const moderationConfigSchema = z
  .object({
    banners: z.array(banner).max(100).default([]),
  })
  .prefault({});
export type ModerationConfig = z.infer<typeof moderationConfigSchema>;

export const moderationConfigShape = { moderation: moderationConfigSchema };

declare module '../config/config.ts' {
  interface PartConfig {
    /** Information banners (src/moderation/config.ts). */
    moderation: ModerationConfig;
  }
}
