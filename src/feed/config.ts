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
    /** feed_co keeps at most this many neighbours per video (the strongest; the rest pruned by the trainer) */
    coNeighbours: z.coerce.number().int().min(5).max(1000).default(100),
    /** co-engagement pairs not strengthened for this many days are pruned */
    coMaxAgeDays: z.coerce.number().min(1).default(90),
    /** ranked sessions kept in memory per process (each a few hundred KB: its candidates’ rows and features) */
    sessionCache: z.coerce.number().int().min(0).default(500),
    /** how often the trainer task looks for pending events (ms) */
    trainPollMs: z.coerce.number().int().min(10).default(1000),
    /** the trainer runs once this many events are pending… */
    trainAfterEvents: z.coerce.number().int().min(1).default(200),
    /** …or once the oldest pending event has waited this long (ms) */
    trainIntervalMs: z.coerce.number().int().min(0).default(5000),
    /** events learnt per training run (the rest wait for the next run) */
    trainBatch: z.coerce.number().int().min(1).default(5000),
  })
  .prefault({});
export type FeedConfig = z.infer<typeof feedConfigSchema>;
