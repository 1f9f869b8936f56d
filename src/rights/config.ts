import { z } from 'zod';

// Data-rights settings (config key `rights`).
export const rightsConfigSchema = z
  .object({
    /** how long a finished export archive is kept before it is deleted (default 7 days) */
    exportRetentionHours: z.coerce
      .number()
      .min(1)
      .max(24 * 90)
      .default(24 * 7),
    /** how long a download link lasts (it is bound to the signed-in person as well) */
    downloadLinkSeconds: z.coerce
      .number()
      .int()
      .min(30)
      .max(24 * 3600)
      .default(15 * 60),
    /** how often expired archives are swept and unfinished deletions resumed */
    sweepSeconds: z.coerce.number().min(1).default(300),
  })
  .prefault({});
export type RightsConfig = z.infer<typeof rightsConfigSchema>;
