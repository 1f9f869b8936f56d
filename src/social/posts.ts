import type { Transaction } from 'kysely';
import type { Viewer } from '../api/auth.ts';
import { conflict, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import { deleteVideoMedia, findSound, playbackLinker, readVideo, type SoundFacts, type VideoFacts } from './media-port.ts';
import { notify } from './notify.ts';
import type { PostProjection } from './flows.ts';
import { moderationOf, narrower } from './moderation-port.ts';
import { publishProjection, reachOf } from './reach.ts';
import { broadcast } from './relay.ts';
import type { Audience, InteractionPolicy, PostsTable } from './schema.ts';
import { CAPTION_MAX, cleanText, hashtagsOf, mentionedAccounts, parseEntities, resolveMentions, type TextEntity } from './text.ts';
import { listStore, visibleTo } from './visibility.ts';
import { toItem, type PostItem } from './items.ts';
import { rememberChoice, storedAudience } from '../privacy/private-posts.ts';
import { isProtectedTeen, teenClamp } from '../privacy/teen.ts';
import type { RealmTransactor } from '../realm/transactor.ts';

// Posts: a video (media part) plus what makes it social — caption, audience,
// who may comment and duet, download permission. The authoritative record is
// `posts` in the creator's realm; every change is published as a public
// projection (social.post) in the same transaction, to the realms allowed to
// hold it (reach.ts): every realm for a public post, followers' realms for a
// followers-only one, none but its own for a private one.

export interface PostSettings {
  caption?: string;
  audience?: Audience;
  commentPolicy?: InteractionPolicy;
  duetPolicy?: InteractionPolicy;
  allowDownload?: boolean;
}

type Trx = Transaction<RealmDatabase>;

async function parseCaption(reelm: Reelm, caption: string) {
  const text = cleanText(caption, CAPTION_MAX, 'caption');
  const entities = await resolveMentions(parseEntities(text), async (h) => {
    const e = await reelm.directory.byHandle(h);
    return e ? { userId: e.userId, realm: e.realm } : undefined;
  });
  return { text, entities };
}

/** What a projection needs from the media part, read BEFORE the transaction (SQLite has one connection: no reads outside `trx` inside it). */
interface MediaFacts {
  video: VideoFacts | undefined;
  sound: SoundFacts | undefined;
}

async function mediaFacts(reelm: Reelm, store: RealmStore, videoId: string): Promise<MediaFacts> {
  const video = await readVideo(store, videoId);
  const sound = video?.soundId ? await findSound(reelm, video.soundId, store.name) : undefined;
  return { video, sound };
}

/** Media facts of several posts, read before a transaction that publishes them. */
async function mediaFactsOf(reelm: Reelm, store: RealmStore, videoIds: readonly string[]): Promise<Map<string, MediaFacts>> {
  const facts = new Map<string, MediaFacts>();
  for (const id of videoIds) facts.set(id, await mediaFacts(reelm, store, id));
  return facts;
}

async function projection(tx: RealmTransactor, post: PostsTable, { video, sound }: MediaFacts): Promise<PostProjection> {
  const owner = await tx.db.selectFrom('users').select(['handle', 'display_name']).where('id', '=', post.owner_id).executeTakeFirstOrThrow();
  const entities = JSON.parse(post.entities) as TextEntity[];
  const moderation = await moderationOf(tx.db, post.video_id, post.owner_id);
  return teenClamp(await isProtectedTeen(tx.store, tx.db, post.owner_id), {
    video_id: post.video_id,
    video_realm: tx.realm,
    owner_id: post.owner_id,
    owner_handle: owner.handle,
    owner_display_name: owner.display_name,
    caption: post.caption,
    entities: post.entities,
    hashtags: hashtagsOf(entities),
    audience: narrower(post.audience, moderation.cap),
    comment_policy: post.comment_policy,
    duet_policy: post.duet_policy,
    allow_download: post.allow_download === 1,
    sound_id: post.sound_id,
    sound_title: sound?.title ?? '',
    duration_ms: video?.durationMs ?? 0,
    play_key: video?.playKey ?? null,
    poster_key: video?.posterKey ?? null,
    like_count: post.like_count,
    comment_count: post.comment_count,
    share_count: post.share_count,
    view_count: Number(post.view_count),
    created_at: Number(post.created_at),
    updated_at: Number(post.updated_at),
    teen_protected: false,
    labels: moderation.labels,
    pinned_at: post.pinned_at === null ? null : Number(post.pinned_at),
  });
}

/** The audience this realm last published for its post (moderation may have narrowed the creator's). */
async function publishedAudience(tx: RealmTransactor, videoId: string, fallback: Audience): Promise<Audience> {
  const r = await tx.db.selectFrom('post_index').select('audience').where('video_id', '=', videoId).where('video_realm', '=', tx.realm).executeTakeFirst();
  return r?.audience ?? fallback;
}

/** Publishes the post's current projection to the realms allowed to hold it (this one applies it at once; reach.ts). */
async function publish(reelm: Reelm, tx: RealmTransactor, videoId: string, facts: MediaFacts, before?: Audience) {
  const post = await tx.db.selectFrom('posts').selectAll().where('video_id', '=', videoId).executeTakeFirstOrThrow();
  await publishProjection(tx, [...reelm.policy.realms.keys()], await projection(tx, post, facts), before);
}

/**
 * Runs a moderation change (src/moderation) and publishes the affected posts
 * again in the same transaction: the new projection (audience capped, labels)
 * to its reach, and a withdrawal to the realms the previously published
 * audience reached and the new one does not.
 */
export async function withRepublish<T>(reelm: Reelm, store: RealmStore, videoIds: readonly string[], change: (trx: Trx) => Promise<T>): Promise<T> {
  const facts = await mediaFactsOf(reelm, store, videoIds);
  return store.transact(async (tx) => {
    const out = await change(tx.db);
    for (const videoId of videoIds) {
      const post = await tx.db.selectFrom('posts').select('updated_at').where('video_id', '=', videoId).executeTakeFirst();
      if (!post) continue;
      const prev = await publishedAudience(tx, videoId, 'private');
      // a new version, so every realm applies it over what it holds
      await tx.db
        .updateTable('posts')
        .set({ updated_at: Math.max(Date.now(), Number(post.updated_at) + 1) })
        .where('video_id', '=', videoId)
        .execute();
      await publish(reelm, tx, videoId, facts.get(videoId)!, prev);
    }
    return out;
  });
}

/**
 * After an import (src/rights/import.ts): the person's restored posts are published again, with the
 * audience and labels their rows hold, to the realms allowed to hold them (this one included: its
 * post_index lost them at the deletion). Media facts are read first; the returned step runs in the
 * caller's transaction, so an import that fails announces nothing.
 */
export async function postAnnouncer(reelm: Reelm, store: RealmStore, ownerId: string): Promise<(tx: RealmTransactor) => Promise<number>> {
  const ids = (await store.db.selectFrom('posts').select('video_id').where('owner_id', '=', ownerId).orderBy('created_at').execute()).map((r) => r.video_id);
  const facts = await mediaFactsOf(reelm, store, ids);
  return async (tx) => {
    for (const id of ids) await publish(reelm, tx, id, facts.get(id)!);
    return ids.length;
  };
}

async function notifyMentions(tx: RealmTransactor, viewer: Viewer, videoId: string, caption: string, entities: TextEntity[], at: number) {
  for (const m of mentionedAccounts(entities)) {
    await notify(tx, m.realm, {
      recipient_id: m.userId,
      kind: 'mention',
      cause_key: `mention:${videoId}`,
      group_key: `mention:${videoId}`,
      actor_id: viewer.userId,
      actor_realm: viewer.realm,
      actor_handle: viewer.handle,
      video_id: videoId,
      video_realm: tx.realm,
      comment_id: null,
      excerpt: caption,
      at,
    });
  }
}

/**
 * Publishes an uploaded video as a post. The media part may call this right
 * after a video becomes ready when the upload carried post fields; clients
 * call it through POST /api/v1/posts.
 */
export async function createPost(reelm: Reelm, viewer: Viewer, videoId: string, s: PostSettings): Promise<PostItem> {
  const store = reelm.realms.get(viewer.realm);
  const video = await readVideo(store, videoId);
  if (!video || video.ownerId !== viewer.userId) throw notFound('That video');
  if (video.status !== 'ready')
    throw conflict('video_not_ready', 'This video is still being processed (or failed). Post it once its upload shows it is ready.');
  const { text, entities } = await parseCaption(reelm, s.caption ?? '');
  const facts = await mediaFacts(reelm, store, videoId);
  const duetSource = video.duetOf
    ? await store.db.selectFrom('post_index').select(['owner_id', 'video_realm']).where('video_id', '=', video.duetOf.videoId).executeTakeFirst()
    : undefined;
  const now = Date.now();
  const chosen = s.audience ?? 'public';
  const audience = await storedAudience(store.db, viewer.userId, chosen);
  await store.transact(async (tx) => {
    const existing = await tx.db.selectFrom('posts').select('video_id').where('video_id', '=', videoId).executeTakeFirst();
    if (existing) throw conflict('already_posted', 'This video is already posted. Edit the post instead.');
    await tx.db
      .insertInto('posts')
      .values({
        video_id: videoId,
        owner_id: viewer.userId,
        caption: text,
        entities: JSON.stringify(entities),
        audience,
        comment_policy: s.commentPolicy ?? 'everyone',
        duet_policy: s.duetPolicy ?? (video.allowDuet ? 'everyone' : 'no_one'),
        allow_download: (s.allowDownload ?? true) ? 1 : 0,
        sound_id: video.soundId,
        like_count: 0,
        comment_count: 0,
        share_count: 0,
        favorite_count: 0,
        view_count: 0,
        watch_ms: 0,
        completion_count: 0,
        stats_changed_at: 0,
        stats_published_at: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await rememberChoice(tx.db, videoId, viewer.userId, chosen, audience);
    await publish(reelm, tx, videoId, facts);
    if (audience !== 'private') {
      await notifyMentions(tx, viewer, videoId, text, entities, now);
      await notifyReuse(tx, viewer, videoId, facts.sound, video.duetOf && duetSource ? { videoId: video.duetOf.videoId, ...duetSource } : undefined, now);
    }
  });
  return (await getPost(reelm, viewer, videoId))!;
}

/** Duets and uses of a sound tell the original creator (wherever they live). */
async function notifyReuse(
  tx: RealmTransactor,
  viewer: Viewer,
  videoId: string,
  sound: SoundFacts | undefined,
  duetSource: { videoId: string; owner_id: string; video_realm: string } | undefined,
  at: number,
) {
  const actor = {
    actor_id: viewer.userId,
    actor_realm: viewer.realm,
    actor_handle: viewer.handle,
    video_id: videoId,
    video_realm: tx.realm,
    comment_id: null,
    excerpt: '',
    at,
  };
  if (duetSource) {
    await notify(tx, duetSource.video_realm, {
      ...actor,
      recipient_id: duetSource.owner_id,
      kind: 'duet',
      cause_key: `duet:${videoId}`,
      group_key: `duet:${duetSource.videoId}`,
    });
  }
  if (sound && sound.ownerId !== viewer.userId && sound.videoId !== videoId) {
    await notify(tx, sound.realm, {
      ...actor,
      recipient_id: sound.ownerId,
      kind: 'sound_use',
      cause_key: `sound_use:${videoId}`,
      group_key: `sound_use:${sound.id}`,
    });
  }
}

async function ownPost(store: RealmStore, viewer: Viewer, videoId: string) {
  const post = await store.db.selectFrom('posts').selectAll().where('video_id', '=', videoId).where('owner_id', '=', viewer.userId).executeTakeFirst();
  if (!post) throw notFound('That post');
  return post;
}

export async function updatePost(reelm: Reelm, viewer: Viewer, videoId: string, s: PostSettings): Promise<PostItem> {
  const store = reelm.realms.get(viewer.realm);
  const before = await ownPost(store, viewer, videoId);
  const set: Partial<PostsTable> = {};
  let newMentions: TextEntity[] = [];
  if (s.caption !== undefined) {
    const { text, entities } = await parseCaption(reelm, s.caption);
    const had = new Set(mentionedAccounts(JSON.parse(before.entities)).map((m) => m.userId));
    newMentions = entities.filter((e) => e.type === 'mention' && e.userId && !had.has(e.userId));
    set.caption = text;
    set.entities = JSON.stringify(entities);
  }
  if (s.audience !== undefined) set.audience = await storedAudience(store.db, viewer.userId, s.audience);
  if (s.commentPolicy !== undefined) set.comment_policy = s.commentPolicy;
  if (s.duetPolicy !== undefined) set.duet_policy = s.duetPolicy;
  if (s.allowDownload !== undefined) set.allow_download = s.allowDownload ? 1 : 0;
  const now = Math.max(Date.now(), Number(before.updated_at) + 1);
  const facts = await mediaFacts(reelm, store, videoId);
  await store.transact(async (tx) => {
    await tx.db
      .updateTable('posts')
      .set({ ...set, updated_at: now })
      .where('video_id', '=', videoId)
      .execute();
    if (s.audience !== undefined) await rememberChoice(tx.db, videoId, viewer.userId, s.audience, set.audience!);
    await publish(reelm, tx, videoId, facts, await publishedAudience(tx, videoId, before.audience));
    if ((set.audience ?? before.audience) !== 'private') await notifyMentions(tx, viewer, videoId, set.caption ?? before.caption, newMentions, now);
  });
  return (await getPost(reelm, viewer, videoId))!;
}

/**
 * Deletes a post and its video: the media files first (a retry after a crash
 * finds the post still there and finishes), then in one transaction the rows
 * and the announcement to every realm, which removes every derived row there.
 */
export async function deletePost(reelm: Reelm, viewer: Viewer, videoId: string): Promise<void> {
  const store = reelm.realms.get(viewer.realm);
  const video = await readVideo(store, videoId);
  const post = await store.db.selectFrom('posts').select('owner_id').where('video_id', '=', videoId).executeTakeFirst();
  const owner = post?.owner_id ?? video?.ownerId;
  if (owner !== viewer.userId) throw notFound('That post');
  await deleteVideoMedia(store, videoId);
  await store.transact(async (tx) => {
    await tx.db.deleteFrom('posts').where('video_id', '=', videoId).execute();
    await broadcast(tx, [...reelm.policy.realms.keys()], 'social.post_removed', { video_id: videoId });
  });
}

/**
 * Announces the counts of this realm's posts whose counts changed since the
 * last announcement, so other realms' lists show them (eventually consistent;
 * the video's own realm is always exact). Run periodically by the worker.
 */
export async function publishPendingStats(reelm: Reelm, store: RealmStore, limit = 500): Promise<number> {
  const realms = [...reelm.policy.realms.keys()];
  return store.transact(async (tx) => {
    const rows = await tx.db
      .selectFrom('posts')
      .select(['video_id', 'owner_id', 'like_count', 'comment_count', 'share_count', 'view_count', 'audience', 'stats_changed_at'])
      .whereRef('stats_changed_at', '>', 'stats_published_at')
      .limit(limit)
      .execute();
    for (const r of rows) {
      // Only to the realms holding the projection (none outside this one for a private or removed post).
      const others = (await reachOf(tx, realms, r.owner_id, await publishedAudience(tx, r.video_id, r.audience))).filter((n) => n !== store.name);
      if (others.length) {
        await broadcast(tx, others, 'social.post_stats', {
          video_id: r.video_id,
          like_count: r.like_count,
          comment_count: r.comment_count,
          share_count: r.share_count,
          view_count: Number(r.view_count),
        });
      }
      await tx.db
        .updateTable('posts')
        .set({ stats_published_at: Number(r.stats_changed_at) })
        .where('video_id', '=', r.video_id)
        .execute();
    }
    return rows.length;
  });
}

/**
 * One post as the viewer may see it, or undefined (the caller answers 404 —
 * the same as for a post that does not exist). Counts come from the video's
 * own realm when this process serves it (exact), else from the projection.
 */
export async function getPost(reelm: Reelm, viewer: Viewer | null, videoId: string): Promise<PostItem | undefined> {
  const candidates = viewer ? [listStore(reelm, viewer)] : reelm.realms.all();
  for (const store of candidates) {
    const row = await store.db
      .selectFrom('post_index')
      .selectAll()
      .where('video_id', '=', videoId)
      .where((eb) => visibleTo(eb, viewer?.userId ?? null))
      .executeTakeFirst();
    if (!row) continue;
    const item = toItem(row, playbackLinker(reelm, viewer?.userId ?? null));
    if (reelm.realms.has(row.video_realm)) {
      const exact = await reelm.realms
        .get(row.video_realm)
        .db.selectFrom('posts')
        .select(['like_count', 'comment_count', 'share_count', 'view_count'])
        .where('video_id', '=', videoId)
        .executeTakeFirst();
      if (exact) item.counts = { likes: exact.like_count, comments: exact.comment_count, shares: exact.share_count, views: Number(exact.view_count) };
    }
    return item;
  }
  return undefined;
}

/** The post row a viewer may act on (like, comment…), from their own realm's index; 404 otherwise. */
export async function visiblePost(reelm: Reelm, viewer: Viewer, videoId: string) {
  const store = listStore(reelm, viewer);
  const row = await store.db
    .selectFrom('post_index')
    .selectAll()
    .where('video_id', '=', videoId)
    .where((eb) => visibleTo(eb, viewer.userId))
    .executeTakeFirst();
  if (!row) throw notFound('That video');
  return row;
}
