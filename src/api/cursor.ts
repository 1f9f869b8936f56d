import { z } from 'zod';
import { badRequest } from './errors.ts';

// The one page-cursor codec: a cursor is opaque to clients (base64url JSON),
// checked against a schema on the way back in, and every bad cursor gets the
// same answer whichever list it was sent to.

export const INVALID_CURSOR_MESSAGE = 'That page cursor is not valid; start again from the first page.';

export interface CursorCodec<T> {
  encode(value: T): string;
  /** undefined for no cursor (the first page); 400 invalid_cursor for anything else that does not parse */
  decode(cursor: string | undefined): T | undefined;
}

export function cursorCodec<S extends z.ZodType>(schema: S): CursorCodec<z.infer<S>> {
  return {
    encode: (value) => Buffer.from(JSON.stringify(value)).toString('base64url'),
    decode(cursor) {
      if (!cursor) return undefined;
      try {
        return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
      } catch {
        throw badRequest('invalid_cursor', INVALID_CURSOR_MESSAGE);
      }
    },
  };
}

/** The common keyset position: (time, id) of the last item of a page, newest first. */
const timeIdSchema = z.object({ at: z.number().int().min(0), id: z.string().min(1).max(64) });
export type TimeIdCursor = z.infer<typeof timeIdSchema>;
export const timeIdCursor: CursorCodec<TimeIdCursor> = cursorCodec(timeIdSchema);
