import { z } from 'zod';

// What an uploader may ask for at upload time. A sound or a duet source may
// live in another realm: it is then named by realm and used only through its
// public media (see public-media.ts).

export const uploadOptionsSchema = z
  .object({
    trim: z
      .object({ start: z.number().min(0).default(0), end: z.number().positive().optional() })
      .refine((t) => t.end === undefined || t.end > t.start, { message: 'trim.end must be after trim.start' })
      .optional(),
    mute: z.boolean().optional(),
    sound: z
      .object({
        id: z.string().min(1).max(64),
        realm: z.string().max(32).optional(),
        mode: z.enum(['replace', 'mix']).default('replace'),
        offset: z.number().min(0).default(0),
        /** mix only: the added sound's and the original audio's volumes, 0–1 each (the result is then loudness-normalised) */
        volume: z.number().min(0).max(1).default(1),
        originalVolume: z.number().min(0).max(1).default(1),
      })
      .refine((s) => s.mode !== 'mix' || s.volume + s.originalVolume > 0, { message: 'sound.volume and sound.originalVolume cannot both be 0' })
      .optional(),
    duetOf: z.object({ videoId: z.string().min(1).max(64), realm: z.string().max(32).optional() }).optional(),
    allowDuet: z.boolean().optional(),
    /** title of the sound made from this video's audio */
    soundTitle: z.string().max(100).optional(),
  })
  .strict();

export type UploadOptions = z.infer<typeof uploadOptionsSchema>;
