import { z } from 'zod';

/** A body that may be left out entirely (no body, an empty body, or JSON null): its fields' defaults apply. */
export function optionalBody<T extends z.ZodObject>(schema: T) {
  return z.preprocess((v) => (v === undefined || v === null ? {} : v), schema);
}
