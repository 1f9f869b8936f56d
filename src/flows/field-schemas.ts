import { z } from 'zod';

// Field schemas every flow declaration uses: one definition, so an id or a handle is
// checked the same way whichever part sends it.

export const id = z.string().regex(/^[0-9a-z]{26}$/, 'a Reelm id');
export const realm = z.string().regex(/^[a-z][a-z0-9]{1,15}$/);
export const handle = z
  .string()
  .min(1)
  .max(30)
  .regex(/^[A-Za-z0-9_.]+$/);
export const time = z.number().int().nonnegative();
