import { z } from 'zod';
import { sql, type Kysely } from 'kysely';
import type { Viewer } from '../api/auth.ts';
import type { Reelm } from '../context.ts';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import { cursorCodec } from '../api/cursor.ts';

// notification groups page by the time of their latest event
const notificationCursor = cursorCodec(z.object({ before: z.number().int().min(0) }));

// Reading notifications, grouped: all notifications sharing a group key (the
// likes of one video, the comments on one video, the follows of one day) are
// one entry — "ana, ben and 10 others liked your video" — with a count, the
// latest actors, and whether any of them is unread.

/**
 * New-follower notifications come from the follower list the graph flows keep
 * in this realm (follower_edges): each new edge becomes one notification, once.
 */
async function syncFollowNotifications(db: Kysely<RealmDatabase>, userId: string) {
  const edges = await db
    .selectFrom('follower_edges')
    .select(['follower_id', 'follower_realm', 'follower_handle', 'created_at'])
    .where('followee_id', '=', userId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('notifications')
            .select('notifications.id')
            .where('notifications.user_id', '=', userId)
            .whereRef('notifications.cause_key', '=', sql<string>`'follow:' || follower_edges.follower_id || ':' || follower_edges.created_at`),
        ),
      ),
    )
    .orderBy('created_at', 'desc')
    .limit(500)
    .execute();
  for (const e of edges) {
    const day = new Date(Number(e.created_at)).toISOString().slice(0, 10);
    await db
      .insertInto('notifications')
      .values({
        id: newId(Number(e.created_at)),
        user_id: userId,
        kind: 'follow',
        cause_key: `follow:${e.follower_id}:${e.created_at}`,
        group_key: `follow:${day}`,
        actor_id: e.follower_id,
        actor_realm: e.follower_realm,
        actor_handle: e.follower_handle,
        video_id: null,
        video_realm: null,
        comment_id: null,
        excerpt: '',
        created_at: Number(e.created_at),
        read_at: null,
      })
      .onConflict((oc) => oc.columns(['user_id', 'cause_key']).doNothing())
      .execute();
  }
}

export interface NotificationGroup {
  groupKey: string;
  kind: string;
  count: number;
  unread: boolean;
  actors: { id: string | null; handle: string | null; realm: string | null }[];
  videoId: string | null;
  commentId: string | null;
  excerpt: string;
  latestAt: string;
  summary: string;
}

const VERB: Record<string, string> = {
  follow: 'started following you',
  like: 'liked your video',
  comment: 'commented on your video',
  reply: 'replied to your comment',
  mention: 'mentioned you',
  comment_like: 'liked your comment',
  duet: 'made a duet with your video',
  moderation: 'acted on your content (see the reason)',
  sound_use: 'used your sound',
  follow_request: 'asked to follow you',
  follow_approved: 'approved your follow request',
};

function summary(kind: string, count: number, handles: string[]): string {
  const verb = VERB[kind] ?? kind;
  if (count === 1) return `${handles[0] ?? 'Someone'} ${verb}`;
  if (count === 2 && handles.length >= 2) return `${handles[0]} and ${handles[1]} ${verb}`;
  return `${count} people ${verb}`;
}

export async function listNotifications(reelm: Reelm, viewer: Viewer, cursor: string | undefined, limit: number) {
  const db = reelm.realms.get(viewer.realm).db;
  await syncFollowNotifications(db, viewer.userId);
  const before = notificationCursor.decode(cursor)?.before ?? Number.MAX_SAFE_INTEGER;
  const groups = await db
    .selectFrom('notifications')
    .select([
      'group_key',
      'kind',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.max<number>('created_at').as('latest'),
      (eb) => eb.fn.sum<number>(sql`case when read_at is null then 1 else 0 end`).as('unread'),
    ])
    .where('user_id', '=', viewer.userId)
    .groupBy(['group_key', 'kind'])
    .having((eb) => eb.fn.max('created_at'), '<', before)
    .orderBy('latest', 'desc')
    .limit(limit + 1)
    .execute();
  const page = groups.slice(0, limit);
  const items: NotificationGroup[] = [];
  for (const g of page) {
    const latest = await db
      .selectFrom('notifications')
      .select(['actor_id', 'actor_handle', 'actor_realm', 'video_id', 'comment_id', 'excerpt'])
      .where('user_id', '=', viewer.userId)
      .where('group_key', '=', g.group_key)
      .orderBy('created_at', 'desc')
      .limit(3)
      .execute();
    const handles = latest.map((l) => l.actor_handle).filter((h): h is string => !!h);
    items.push({
      groupKey: g.group_key,
      kind: g.kind,
      count: Number(g.n),
      unread: Number(g.unread) > 0,
      actors: latest.map((l) => ({ id: l.actor_id, handle: l.actor_handle, realm: l.actor_realm })),
      videoId: latest[0]?.video_id ?? null,
      commentId: latest[0]?.comment_id ?? null,
      excerpt: latest[0]?.excerpt ?? '',
      latestAt: new Date(Number(g.latest)).toISOString(),
      summary: summary(g.kind, Number(g.n), handles),
    });
  }
  const last = page[page.length - 1];
  return { items, nextCursor: groups.length > limit && last ? notificationCursor.encode({ before: last.latest }) : null };
}

export async function unreadCount(reelm: Reelm, viewer: Viewer): Promise<number> {
  const db = reelm.realms.get(viewer.realm).db;
  await syncFollowNotifications(db, viewer.userId);
  const r = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', viewer.userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Marks the given groups read (all when none are named). */
export async function markRead(reelm: Reelm, viewer: Viewer, groupKeys: string[] | undefined, read = true) {
  let q = reelm.realms
    .get(viewer.realm)
    .db.updateTable('notifications')
    .set({ read_at: read ? Date.now() : null })
    .where('user_id', '=', viewer.userId);
  if (groupKeys && groupKeys.length) q = q.where('group_key', 'in', groupKeys);
  if (read) q = q.where('read_at', 'is', null);
  const r = await q.executeTakeFirst();
  return { updated: Number(r.numUpdatedRows) };
}
