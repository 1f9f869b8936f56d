import { z } from 'zod';
import type { Linker } from './media-port.ts';
import type { PostIndexTable } from './schema.ts';
import type { TextEntity } from './text.ts';
import { timeIdCursor, type TimeIdCursor } from '../api/cursor.ts';

// The shape of a post in every API answer, and the keyset cursors of lists
// (newest first: created_at, then video id).

const entity = z.union([
  z.object({ type: z.literal('hashtag'), start: z.number(), end: z.number(), tag: z.string() }),
  z.object({ type: z.literal('mention'), start: z.number(), end: z.number(), handle: z.string(), userId: z.string().nullable(), realm: z.string().nullable() }),
]);
export const entitiesSchema = z.array(entity);

export const postItemSchema = z.object({
  id: z.string(),
  realm: z.string(),
  author: z.object({ id: z.string(), handle: z.string(), displayName: z.string() }),
  caption: z.string().describe('plain text; render with `entities`, never as HTML'),
  entities: entitiesSchema,
  hashtags: z.array(z.string()),
  audience: z.enum(['public', 'followers', 'private']),
  commentPolicy: z.enum(['everyone', 'followers', 'no_one']),
  duetPolicy: z.enum(['everyone', 'followers', 'no_one']),
  allowDownload: z.boolean(),
  sound: z.object({ id: z.string(), title: z.string() }).nullable(),
  durationMs: z.number(),
  counts: z.object({ likes: z.number(), comments: z.number(), shares: z.number(), views: z.number() }),
  playUrl: z.string().nullable().describe('first playable rendition (MP4); followers-only and private posts get a short-lived signed URL'),
  posterUrl: z.string().nullable(),
  createdAt: z.string(),
  labels: z.array(z.string()).describe('moderation labels: unverified, age_restricted, state_affiliated, sensitive, misleading (docs/MODERATION.md)'),
  sharePrompt: z.boolean().describe('ask before sharing: the video is labelled unverified'),
  pinned: z.boolean().describe('pinned by its creator to the top of their profile'),
  banner: z
    .object({ text: z.string(), url: z.string().nullable() })
    .nullable()
    .describe('an information banner for videos with chosen hashtags (config `moderation.banners`, e.g. elections)'),
});
export type PostItem = z.infer<typeof postItemSchema>;

export const pageSchema = z.object({ items: z.array(postItemSchema), nextCursor: z.string().nullable() });

export function toItem(r: PostIndexTable, links: Linker): PostItem {
  return {
    id: r.video_id,
    realm: r.video_realm,
    author: { id: r.owner_id, handle: r.owner_handle, displayName: r.owner_display_name },
    caption: r.caption,
    entities: JSON.parse(r.entities) as TextEntity[],
    hashtags: r.hashtags ? r.hashtags.split(' ') : [],
    audience: r.audience,
    commentPolicy: r.comment_policy,
    duetPolicy: r.duet_policy,
    allowDownload: r.allow_download === 1,
    sound: r.sound_id ? { id: r.sound_id, title: r.sound_title } : null,
    durationMs: Number(r.duration_ms),
    counts: { likes: Number(r.like_count), comments: Number(r.comment_count), shares: Number(r.share_count), views: Number(r.view_count) },
    ...links(r),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    labels: r.labels ? r.labels.split(' ') : [],
    sharePrompt: r.labels ? r.labels.split(' ').includes('unverified') : false,
    pinned: r.pinned_at !== null && r.pinned_at !== undefined,
  };
}

export type Cursor = TimeIdCursor;
export const encodeCursor = (c: Cursor): string => timeIdCursor.encode(c);
export const decodeCursor = (s: string | undefined): Cursor | undefined => timeIdCursor.decode(s);

export const pageQuery = z.object({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

/** Keyset pagination over rows sorted newest first; fetches one extra row to know whether there is more. */
export function pageOf<T>(rows: T[], limit: number, key: (r: T) => Cursor): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { rows: page, nextCursor: more ? encodeCursor(key(page[page.length - 1]!)) : null };
}
