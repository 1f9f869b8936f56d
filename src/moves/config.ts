import { z } from 'zod';

// Residency operations settings (config key `moves`).
export const movesConfigSchema = z
  .object({
    /** The request header in which the edge proxy reports the client's country (ISO 3166-1 alpha-2).
     * Trusted only when set: without it no country is switched off by address (REELM_COUNTRY_HEADER). */
    countryHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .optional(),
    /** how long people of a closing realm may download their data before it is purged */
    closeDays: z.coerce.number().min(0).max(365).default(30),
  })
  .prefault({});
export type MovesConfig = z.infer<typeof movesConfigSchema>;

/** The default header name the shipped nginx sets (deploy/nginx): documented, never assumed. */
export const DEFAULT_COUNTRY_HEADER = 'X-Reelm-Country';
