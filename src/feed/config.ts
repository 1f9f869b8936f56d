import { z } from 'zod';

// For You settings (config key `feed`).
export const feedConfigSchema = z
  .object({
    /** score multiplier for a video carrying a safety label (0 hides it, 1 ignores labels) */
    safetyFactor: z.coerce.number().min(0).max(1).default(0.2),
    /** candidates per source per request (each source is one indexed query with this LIMIT) */
    perSource: z.coerce.number().int().min(5).max(500).default(60),
    /** share of a page kept for fresh low-view videos */
    exploreShare: z.coerce.number().min(0).max(0.5).default(0.15),
    /** a video with fewer local plays than this counts as fresh for exploration */
    exploreMaxPlays: z.coerce.number().int().min(1).default(50),
    /** model snapshots kept per realm */
    keepSnapshots: z.coerce.number().int().min(1).max(100).default(3),
    /** seen-filter rows kept per person (oldest pruned) */
    seenCap: z.coerce.number().int().min(100).default(5000),
    /** co-engagement pairs formed with this many of a person's latest positives */
    coWindow: z.coerce.number().int().min(1).max(100).default(20),
  })
  .prefault({});
export type FeedConfig = z.infer<typeof feedConfigSchema>;
