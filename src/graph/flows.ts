import { z } from 'zod';
import { handle, id, realm, time } from '../flows/field-schemas.ts';
import { defineFlow, type FlowDeclaration, type FlowPayload } from '../flows/declarations.ts';
import { receiveFollow, receiveFolloweeGone, receiveProfileSnapshot, receiveUnfollow } from './flow-handlers.ts';
import { receiveFollowDecided, receiveFollowRequest, receiveRequestCancel } from './requests.ts';

// The graph's entries in the flow table (declaration and receiver together):
// follows, unfollows, departures and the public profile snapshot shown next to
// a follow edge. Every field is public or operational.

const displayName = z.string().max(100);
const avatarKey = z.string().max(300).nullable();

/** The (follower, followee) pair most graph messages name, each side described for its flow. */
const pair = (follower: string, followee: string) =>
  ({
    follower_id: { class: 'operational', schema: id, description: follower },
    followee_id: { class: 'operational', schema: id, description: followee },
  }) as const;
const PAIR_EXAMPLE = { follower_id: '01jabcdefghjkmnpqrstvwxyz0', followee_id: '01jabcdefghjkmnpqrstvwxyz1' };

const followFields = {
  ...pair('follower’s account id', 'followed person’s account id'),
  follower_realm: { class: 'operational', schema: realm, description: 'follower’s home realm (where to reach them)' },
  follower_handle: { class: 'public', schema: handle, description: 'follower’s public handle' },
  follower_display_name: { class: 'public', schema: displayName, description: 'follower’s public display name' },
  follower_avatar_key: { class: 'public', schema: avatarKey, description: 'key of the follower’s public avatar image in their realm (not the image)' },
  followed_at: { class: 'public', schema: time, description: 'when the follow began (ms since epoch)' },
} as const;
const followExample: FollowPayload = {
  follower_id: '01jabcdefghjkmnpqrstvwxyz0',
  followee_id: '01jabcdefghjkmnpqrstvwxyz1',
  follower_realm: 'us',
  follower_handle: 'ana',
  follower_display_name: 'Ana',
  follower_avatar_key: null,
  followed_at: 1767225600000,
};

const profileSnapshotFields = {
  user_id: { class: 'operational', schema: id, description: 'account id' },
  handle: { class: 'public', schema: handle, description: 'public handle' },
  display_name: { class: 'public', schema: displayName, description: 'public display name' },
  avatar_key: { class: 'public', schema: avatarKey, description: 'key of the public avatar image in the person’s realm' },
} as const;

const followDecidedFields = {
  ...pair('requester’s account id', 'requested account’s id'),
  outcome: { class: 'operational', schema: z.enum(['approved', 'declined', 'pending']), description: 'how the request ended (or that it waits)' },
  followee_handle: { class: 'public', schema: handle, description: 'the account’s public handle' },
  followee_display_name: { class: 'public', schema: displayName, description: 'the account’s public display name' },
  followee_avatar_key: { class: 'public', schema: avatarKey, description: 'key of the account’s public avatar image in its realm' },
  decided_at: { class: 'operational', schema: time, description: 'when it was decided (ms since epoch)' },
} as const;

// The payloads, inferred from the fields' schemas (the receivers and senders use these).
export type FollowPayload = FlowPayload<typeof followFields>;
/** graph.unfollow, graph.followee_gone and graph.follow_request_cancel: the pair alone. */
export type FollowPairPayload = FlowPayload<ReturnType<typeof pair>>;
export type ProfileSnapshotPayload = FlowPayload<typeof profileSnapshotFields>;
export type FollowDecidedPayload = FlowPayload<typeof followDecidedFields>;

export const GRAPH_FLOWS: readonly FlowDeclaration[] = [
  defineFlow({
    name: 'graph.follow',
    purpose: 'Show a new follower in the followed person’s follower list and keep their follower count exact.',
    route: 'follower’s home realm → followed person’s home realm',
    retention: 'Until the follow ends (graph.unfollow) or either account is deleted or moved.',
    fields: followFields,
    example: followExample,
    receive: receiveFollow,
  }),
  defineFlow({
    name: 'graph.unfollow',
    purpose: 'Remove a follower from the followed person’s follower list and keep their follower count exact.',
    route: 'follower’s home realm → followed person’s home realm',
    retention: 'Nothing is kept: the message deletes the edge graph.follow delivered.',
    fields: {
      ...pair('follower’s account id', 'followed person’s account id'),
    },
    example: PAIR_EXAMPLE,
    receive: receiveUnfollow,
  }),
  defineFlow({
    name: 'graph.followee_gone',
    purpose: 'Remove a follow from the follower’s following list because the followed account was deleted or left its realm; keep counts exact.',
    route: 'followed person’s (old) home realm → each follower’s home realm',
    retention: 'Nothing is kept: the message deletes the follower’s edge and its snapshot.',
    fields: {
      ...pair('follower’s account id', 'the departed account’s id'),
    },
    example: PAIR_EXAMPLE,
    receive: receiveFolloweeGone,
  }),
  defineFlow({
    name: 'profile.snapshot',
    purpose:
      'Refresh the public snapshot (handle, display name, avatar key) that realms show next to a follow edge, and the author name on the person’s post projections and comment copies.',
    route:
      'a person’s home realm → itself and every realm holding follow edges with them, every realm when they have posts (projections are everywhere), the realms of videos they commented on; also the reply to a graph.follow from another realm',
    retention: 'Replaces the previous snapshot; kept as long as the follow edge, post projection or comment copy.',
    fields: profileSnapshotFields,
    example: { user_id: '01jabcdefghjkmnpqrstvwxyz0', handle: 'ana', display_name: 'Ana', avatar_key: null },
    receive: receiveProfileSnapshot,
  }),
  defineFlow({
    name: 'graph.follow_request',
    purpose:
      'Ask a private account to be let in as a follower: shown in its owner’s follow requests until they approve or decline (a public account’s realm approves at once).',
    route: 'requester’s home realm → requested account’s home realm',
    retention: 'Until the owner decides, the requester withdraws it (graph.follow_request_cancel), or either account is deleted.',
    fields: followFields,
    example: followExample,
    receive: receiveFollowRequest,
  }),
  defineFlow({
    name: 'graph.follow_request_cancel',
    purpose: 'The requester withdrew a pending follow request: remove it from the owner’s follow requests.',
    route: 'requester’s home realm → requested account’s home realm',
    retention: 'Nothing is kept: the message deletes the held request.',
    fields: {
      ...pair('requester’s account id', 'requested account’s id'),
    },
    example: PAIR_EXAMPLE,
    receive: receiveRequestCancel,
  }),
  defineFlow({
    name: 'graph.follow_decided',
    purpose:
      'Tell the requester’s realm how a follow request ended (approved: it becomes a follow; declined: the requester sees it declined; pending: a plain follow that reached a private account is held as a request).',
    route: 'requested account’s home realm → requester’s home realm',
    retention: 'An approval becomes the follow edge (until unfollowed); a decline is kept on the requester’s request until they ask again or withdraw it.',
    fields: followDecidedFields,
    example: {
      follower_id: '01jabcdefghjkmnpqrstvwxyz0',
      followee_id: '01jabcdefghjkmnpqrstvwxyz1',
      outcome: 'approved',
      followee_handle: 'ben',
      followee_display_name: 'Ben',
      followee_avatar_key: null,
      decided_at: 1767225600000,
    },
    receive: receiveFollowDecided,
  }),
];
