import { z } from 'zod';

// How media bytes leave a realm (docs/STORAGE.md). Node always decides *whether*
// a request may have the bytes; the mode decides *who carries* them:
//  direct   — Node streams them (embedded default; fine for small installs)
//  x-accel  — Node answers with X-Accel-Redirect and nginx sends the file with
//             sendfile (deploy/nginx/reelm.conf); realms on S3 fall back to redirect
//  redirect — Node answers 302 to a short-lived presigned S3 URL (S3 realms;
//             local-folder realms fall back to direct)

export const deliveryModes = ['direct', 'x-accel', 'redirect'] as const;
export type DeliveryMode = (typeof deliveryModes)[number];

export const deliveryConfigSchema = z
  .object({
    mode: z.enum(deliveryModes).default('direct'),
    /** lifetime of a signed media grant (and of the presigned URL it becomes on S3) */
    grantTtlSeconds: z.coerce
      .number()
      .int()
      .min(5)
      .max(24 * 3600)
      .default(300),
    /** nginx `internal` location that maps `<prefix><realm>/<key>` to the realm's blob folder */
    accelPrefix: z
      .string()
      .regex(/^\/[A-Za-z0-9_\-/]*\/$/)
      .default('/_reelm_blobs/'),
    /** how long an edge (the nginx auth cache) may reuse an "allowed" answer for public media: a post made private stops being served within this */
    publicDecisionSeconds: z.coerce.number().int().min(0).max(3600).default(10),
    /** max-age for public renditions (their keys are never rewritten, so they are immutable) */
    publicMaxAgeSeconds: z.coerce
      .number()
      .int()
      .min(0)
      .default(365 * 24 * 3600),
  })
  .prefault({});

export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;
