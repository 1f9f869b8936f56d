import { z } from 'zod';
import { handle, id, realm, time } from '../flows/field-schemas.ts';
import { defineFlow, type FlowDeclaration, type FlowField, type FlowPayload } from '../flows/declarations.ts';
import { receiveComment, receiveCommentRemoved, receiveEngagement, receiveEngagementRemoved, receiveViews } from './engagement-apply.ts';
import { COMMENT_REFUSAL_CODES, receiveCommentOutcome } from './comment-outcome.ts';
import { receiveNotify, receiveNotifyRemoved } from './notify.ts';
import { receivePost, receivePostRemoved, receivePostStats, receivePostWithdrawn } from './post-index.ts';
import { dropFollow } from '../graph/service.ts';

// The social layer's entries in the flow table (src/flows/flow-table.ts spreads
// SOCIAL_FLOWS into FLOWS). Every field is public or operational: handles,
// display names, captions and comment text a person chose to publish, counts,
// and ids. Never an email, a country, a birth date, a watch history row or a
// favorite: those stay in the person's realm (views travel only as counts).

const count = z.number().int().nonnegative();
const policy = z.enum(['everyone', 'followers', 'no_one']);

const op = <S extends z.ZodType>(schema: S, description: string): FlowField<S> => ({ class: 'operational', schema, description });
const pub = <S extends z.ZodType>(schema: S, description: string): FlowField<S> => ({ class: 'public', schema, description });

const EX_VIDEO = '01jabcdefghjkmnpqrstvwxyz2';
const EX_USER = '01jabcdefghjkmnpqrstvwxyz0';
const EX_OTHER = '01jabcdefghjkmnpqrstvwxyz1';
const EX_COMMENT = '01jabcdefghjkmnpqrstvwxyz3';

const postFields = {
  video_id: op(id, 'the post’s video id'),
  video_realm: op(realm, 'the realm holding the video and its engagement'),
  owner_id: op(id, 'creator’s account id'),
  owner_handle: pub(handle, 'creator’s public handle'),
  owner_display_name: pub(z.string().max(100), 'creator’s public display name'),
  caption: pub(z.string().max(10_000), 'the caption as published'),
  entities: pub(z.string().max(100_000), 'JSON: parsed #hashtags and @mentions (offsets, tag, mentioned account id)'),
  hashtags: pub(z.array(z.string().max(100)).max(200), 'the caption’s hashtags, lower case'),
  audience: pub(z.enum(['public', 'followers', 'private']), 'who may see the post (private only ever applies inside the creator’s realm)'),
  comment_policy: pub(policy, 'who may comment'),
  duet_policy: pub(policy, 'who may duet'),
  allow_download: pub(z.boolean(), 'whether viewers may download'),
  teen_protected: pub(
    z.boolean(),
    'the creator’s country protects accounts of their age: no duet or reuse of the video, not recommended in adults’ For You (the birth date itself never leaves the realm)',
  ),
  sound_id: pub(id.nullable(), 'the sound the video uses'),
  sound_title: pub(z.string().max(200), 'that sound’s public title'),
  duration_ms: pub(count, 'video duration'),
  play_key: pub(z.string().max(500).nullable(), 'key of the first playable rendition in the video’s realm (not the file)'),
  poster_key: pub(z.string().max(500).nullable(), 'key of the poster image in the video’s realm (not the file)'),
  like_count: pub(count, 'public count'),
  comment_count: pub(count, 'public count'),
  share_count: pub(count, 'public count'),
  view_count: pub(count, 'public count'),
  created_at: pub(time, 'when it was posted'),
  updated_at: op(time, 'version of this snapshot (older snapshots are ignored)'),
  labels: pub(
    z.array(z.string().max(40)).max(20).optional(),
    'moderation labels shown with the post (unverified, age_restricted, state_affiliated…; docs/MODERATION.md)',
  ),
};
export type PostProjection = FlowPayload<typeof postFields>;

const postWithdrawnFields = { video_id: op(id, 'the withdrawn post’s video id') };
export type PostWithdrawnPayload = FlowPayload<typeof postWithdrawnFields>;

const postStatsFields = {
  video_id: op(id, 'the post’s video id'),
  like_count: pub(count, 'public count'),
  comment_count: pub(count, 'public count'),
  share_count: pub(count, 'public count'),
  view_count: pub(count, 'public count'),
};
export type PostStatsPayload = FlowPayload<typeof postStatsFields>;

const postRemovedFields = { video_id: op(id, 'the deleted post’s video id') };
export type PostRemovedPayload = FlowPayload<typeof postRemovedFields>;

const engagementFields = {
  key: op(id, 'id of the actor-side row (idempotency key)'),
  kind: op(z.enum(['like', 'favorite', 'share', 'comment_like']), 'what happened'),
  video_id: op(id, 'the video'),
  comment_id: op(id.nullable(), 'the comment, for comment likes'),
  actor_id: op(id.nullable(), 'actor’s account id (likes and comment likes only)'),
  actor_realm: op(realm.nullable(), 'actor’s home realm (likes and comment likes only)'),
  actor_handle: pub(handle.nullable(), 'actor’s public handle (likes and comment likes only)'),
  at: pub(time, 'when'),
};
export type EngagementPayload = FlowPayload<typeof engagementFields>;

const engagementRemovedFields = { key: op(id, 'id of the actor-side row'), video_id: op(id, 'the video') };
export type EngagementRemovedPayload = FlowPayload<typeof engagementRemovedFields>;

const commentFields = {
  comment_id: op(id, 'comment id (same in both realms)'),
  video_id: op(id, 'the video'),
  parent_id: op(id.nullable(), 'the comment replied to'),
  author_id: op(id, 'commenter’s account id'),
  author_realm: op(realm, 'commenter’s home realm'),
  author_handle: pub(handle, 'commenter’s public handle'),
  author_display_name: pub(z.string().max(100), 'commenter’s public display name'),
  body: pub(z.string().max(4000), 'the comment text as published'),
  entities: pub(z.string().max(50_000), 'JSON: parsed #hashtags and @mentions'),
  at: pub(time, 'when'),
};
export type CommentPayload = FlowPayload<typeof commentFields>;

const commentOutcomeFields = {
  comment_id: op(id, 'the comment'),
  video_id: op(id, 'the video'),
  state: op(z.enum(['published', 'rejected']), 'the verdict'),
  parent_id: op(id.nullable(), 'the top-level comment whose thread it joined'),
  reason: op(z.enum(COMMENT_REFUSAL_CODES).nullable(), 'why it was rejected'),
};
export type CommentOutcomePayload = FlowPayload<typeof commentOutcomeFields>;

const commentRemovedFields = { comment_id: op(id, 'the comment'), video_id: op(id, 'the video') };
export type CommentRemovedPayload = FlowPayload<typeof commentRemovedFields>;

const viewsFields = {
  videos: op(
    z
      .array(z.object({ video_id: id, plays: count, watch_ms_total: count, completions: count }).strict())
      .min(1)
      .max(1000),
    'per video of the receiving realm: new plays, and watched milliseconds and completions summed over ≥ 3 distinct viewers (0 when fewer); never one person’s value',
  ),
};
export type ViewsPayload = FlowPayload<typeof viewsFields>;

const notifyFields = {
  recipient_id: op(id, 'who is told'),
  kind: op(z.enum(['follow', 'like', 'comment', 'reply', 'mention', 'comment_like', 'duet', 'sound_use']), 'what happened'),
  cause_key: op(z.string().max(100), 'one notification per cause'),
  group_key: op(z.string().max(100), 'notifications shown together'),
  actor_id: op(id.nullable(), 'who did it'),
  actor_realm: op(realm.nullable(), 'their home realm'),
  actor_handle: pub(handle.nullable(), 'their public handle'),
  video_id: op(id.nullable(), 'the video concerned'),
  video_realm: op(realm.nullable(), 'its realm'),
  comment_id: op(id.nullable(), 'the comment concerned'),
  excerpt: pub(z.string().max(120), 'start of the text concerned, only when the recipient may see the post (else empty)'),
  at: pub(time, 'when'),
};
export type NotifyPayload = FlowPayload<typeof notifyFields>;

const notifyRemovedFields = { recipient_id: op(id, 'who was told'), cause_key: op(z.string().max(100), 'which notification') };
export type NotifyRemovedPayload = FlowPayload<typeof notifyRemovedFields>;

export const SOCIAL_FLOWS: readonly FlowDeclaration[] = [
  defineFlow({
    name: 'social.post',
    purpose:
      'Publish the projection of a post to the realms allowed to hold it, so feeds, hashtag and sound pages and search run on the viewer’s own realm: a public post to every realm; a followers-only post only to realms where at least one of the creator’s followers lives; a private post never.',
    route: 'creator’s home realm → every other realm (public) / each realm holding a follower of the creator (followers-only)',
    retention: 'Until the post is deleted (social.post_removed) or the realm may no longer hold it (social.post_withdrawn).',
    fields: postFields,
    example: {
      video_id: EX_VIDEO,
      video_realm: 'eu',
      owner_id: EX_USER,
      owner_handle: 'ana',
      owner_display_name: 'Ana',
      caption: 'sunset #beach',
      entities: '[{"type":"hashtag","start":7,"end":13,"tag":"beach"}]',
      hashtags: ['beach'],
      audience: 'public',
      comment_policy: 'everyone',
      duet_policy: 'everyone',
      allow_download: true,
      teen_protected: false,
      sound_id: null,
      sound_title: '',
      duration_ms: 12000,
      play_key: `users/${EX_USER}/videos/${EX_VIDEO}/540.mp4`,
      poster_key: `users/${EX_USER}/videos/${EX_VIDEO}/poster.jpg`,
      like_count: 0,
      comment_count: 0,
      share_count: 0,
      view_count: 0,
      created_at: 1767225600000,
      updated_at: 1767225600000,
      labels: [],
    },
    // A private post's projection is applied only inside the creator's realm, whatever code emits it.
    staysHome: (p) => p.audience === 'private',
    receive: receivePost,
  }),
  defineFlow({
    name: 'social.post_withdrawn',
    purpose:
      'A realm may no longer hold a post’s projection (made private; made followers-only, or its last follower of the creator there unfollowed): remove it from the post index and search, and blank notification excerpts about it.',
    route: 'creator’s home realm → each realm that held the projection',
    retention: 'Nothing is kept.',
    fields: postWithdrawnFields,
    example: { video_id: EX_VIDEO },
    receive: receivePostWithdrawn,
  }),
  defineFlow({
    name: 'social.post_stats',
    purpose: 'Refresh the public counts shown with a post in other realms’ lists.',
    route: 'creator’s home realm → each other realm holding the projection',
    retention: 'Replaces the previous counts; kept as long as the post projection.',
    fields: postStatsFields,
    example: { video_id: EX_VIDEO, like_count: 3, comment_count: 1, share_count: 0, view_count: 40 },
    receive: receivePostStats,
  }),
  defineFlow({
    name: 'social.post_removed',
    purpose:
      'A post was deleted: every realm removes its projection and every row derived from it (residents’ likes, comments, favorites, shares, watch events and notifications about it).',
    route: 'creator’s home realm → every other realm',
    retention: 'Nothing is kept.',
    fields: postRemovedFields,
    example: { video_id: EX_VIDEO },
    receive: receivePostRemoved,
  }),
  defineFlow({
    name: 'social.engagement',
    purpose:
      'Count a like, favorite, share or comment like exactly on the video’s realm; likes carry the liker’s public handle for the creator’s notification and liker list. Favorites and shares carry no actor.',
    route: 'actor’s home realm → video’s home realm',
    retention: 'Until the engagement is undone (social.engagement_removed) or the post is deleted.',
    fields: engagementFields,
    example: {
      key: EX_OTHER,
      kind: 'like',
      video_id: EX_VIDEO,
      comment_id: null,
      actor_id: EX_USER,
      actor_realm: 'us',
      actor_handle: 'ana',
      at: 1767225600000,
    },
    receive: receiveEngagement,
  }),
  defineFlow({
    name: 'social.engagement_removed',
    purpose: 'An unlike, unfavorite or comment unlike: remove the public copy and recount.',
    route: 'actor’s home realm → video’s home realm',
    retention: 'Nothing is kept.',
    fields: engagementRemovedFields,
    example: { key: EX_OTHER, video_id: EX_VIDEO },
    receive: receiveEngagementRemoved,
  }),
  defineFlow({
    name: 'social.comment',
    purpose: 'The public copy of a comment or reply, shown under the video with the commenter’s public handle.',
    route: 'commenter’s home realm → video’s home realm',
    retention: 'Until the comment is deleted by its author or the creator, or the post is deleted.',
    fields: commentFields,
    example: {
      comment_id: EX_COMMENT,
      video_id: EX_VIDEO,
      parent_id: null,
      author_id: EX_USER,
      author_realm: 'us',
      author_handle: 'ana',
      author_display_name: 'Ana',
      body: 'love it',
      entities: '[]',
      at: 1767225600000,
    },
    receive: receiveComment,
  }),
  defineFlow({
    name: 'social.comment_outcome',
    purpose:
      'The video’s realm’s verdict on a comment: published (with the thread it joined) or rejected (with the reason), stored on the author’s own copy so they see it.',
    route: 'video’s home realm → commenter’s home realm',
    retention: 'Kept on the author’s copy of the comment until it is deleted.',
    fields: commentOutcomeFields,
    example: { comment_id: EX_COMMENT, video_id: EX_VIDEO, state: 'rejected', parent_id: null, reason: 'comments_off' },
    receive: receiveCommentOutcome,
  }),
  defineFlow({
    name: 'social.comment_removed',
    purpose: 'A comment was deleted (by its author or the video’s creator): remove it, its replies and its likes in the other realm.',
    route: 'commenter’s home realm ⇄ video’s home realm',
    retention: 'Nothing is kept.',
    fields: commentRemovedFields,
    example: { comment_id: EX_COMMENT, video_id: EX_VIDEO },
    receive: receiveCommentRemoved,
  }),
  defineFlow({
    name: 'social.views',
    purpose:
      'Play counts of a video, rolled up over viewers and time: watch time and completions only as sums over at least 3 distinct viewers, plays alone after at most a minute. The events themselves (who watched what, how long) never leave the viewer’s realm.',
    route: 'viewer’s home realm → video’s home realm',
    retention: 'Added to the video’s counts; the message itself is not kept.',
    fields: viewsFields,
    example: { videos: [{ video_id: EX_VIDEO, plays: 3, watch_ms_total: 24000, completions: 1 }] },
    receive: receiveViews,
  }),
  defineFlow({
    name: 'social.notify',
    purpose: 'Tell a person about a reply, mention, comment like, duet or use of their sound caused in another realm; stored in their home realm.',
    route: 'realm where it happened → recipient’s home realm',
    retention: 'Until the recipient deletes it, the cause is undone (social.notify_removed), or the post is deleted.',
    fields: notifyFields,
    example: {
      recipient_id: EX_OTHER,
      kind: 'reply',
      cause_key: `reply:${EX_COMMENT}`,
      group_key: `reply:${EX_COMMENT}`,
      actor_id: EX_USER,
      actor_realm: 'us',
      actor_handle: 'ana',
      video_id: EX_VIDEO,
      video_realm: 'eu',
      comment_id: EX_COMMENT,
      excerpt: 'love it',
      at: 1767225600000,
    },
    receive: receiveNotify,
  }),
  defineFlow({
    name: 'social.notify_removed',
    purpose: 'The cause of a notification was undone (unlike, deleted comment): withdraw it.',
    route: 'realm where it was undone → recipient’s home realm',
    retention: 'Nothing is kept.',
    fields: notifyRemovedFields,
    example: { recipient_id: EX_OTHER, cause_key: `reply:${EX_COMMENT}` },
    receive: receiveNotifyRemoved,
  }),
  defineFlow({
    name: 'social.block',
    purpose: 'Tell the blocked person’s realm, so it hides the blocker’s content from them on every list and refuses their comments.',
    route: 'blocker’s home realm → blocked person’s home realm',
    retention: 'Until unblocked (social.unblock) or either account is deleted.',
    fields: { blocker_id: op(id, 'who blocks'), blocked_id: op(id, 'who is blocked'), at: op(time, 'when') },
    example: { blocker_id: EX_USER, blocked_id: EX_OTHER, at: 1767225600000 },
    receive: async (trx, p) => {
      const r = await trx
        .insertInto('block_edges')
        .values({ blocker_id: p.blocker_id, blocked_id: p.blocked_id, created_at: p.at })
        .onConflict((oc) => oc.columns(['blocked_id', 'blocker_id']).doNothing())
        .executeTakeFirst();
      // the blocked person's follow of the blocker ends with the block
      const dropped = await dropFollow(trx, p.blocked_id, p.blocker_id);
      return dropped || Number(r.numInsertedOrUpdatedRows ?? 0) > 0 ? 'applied' : 'skipped';
    },
  }),
  defineFlow({
    name: 'social.unblock',
    purpose: 'The block ended: remove it from the blocked person’s realm.',
    route: 'blocker’s home realm → blocked person’s home realm',
    retention: 'Nothing is kept.',
    fields: { blocker_id: op(id, 'who blocked'), blocked_id: op(id, 'who was blocked') },
    example: { blocker_id: EX_USER, blocked_id: EX_OTHER },
    receive: async (trx, p) => {
      const r = await trx.deleteFrom('block_edges').where('blocker_id', '=', p.blocker_id).where('blocked_id', '=', p.blocked_id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0 ? 'applied' : 'skipped';
    },
  }),
];
