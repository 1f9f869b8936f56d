import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FlowDeliverer } from '../../src/flows/deliverer.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { addStaff } from '../../src/staff/staff.ts';
import type { TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { makeClip } from '../media/corpus.ts';
import { mediaWorker, uploadMultipart } from '../media/helpers.ts';
import { makeVideo, postVideo } from '../social/helpers.ts';
import { moderate, report, staffToken } from '../moderation/helpers.ts';

// A person with something in every resident table, made through the public API
// and the real media pipeline (so blobs have the layout production writes):
// an avatar, an uploaded and transcoded video (original, renditions, poster,
// sound, the media job), a post, follows both ways across realms, a like, a
// comment, a comment like, a collection with a favorite, a share, watch events,
// a block, notifications, feed interests, feedback and a For You page (feed_seen),
// the account search index (handle_grams), a report they made of an account, a report of their
// video with a moderator's label on it (action, hold) and their appeal. `canary` strings are written into
// their bio, caption, comment, collection name and the video's metadata, so byte
// scans have something to look for.

export interface FullPerson {
  person: TestUser;
  /** someone in another realm they follow and who follows them back */
  friend: TestUser;
  /** someone in a third realm they blocked */
  blocked: TestUser;
  canary: string;
  videoId: string;
  friendVideoId: string;
}

export async function deliverAll(t: TestReelm) {
  const d = new FlowDeliverer(t.reelm);
  for (let i = 0; i < 10; i++) if ((await d.deliverOnce()).delivered === 0) break;
}

/** A worker with every module's job handlers (as `reelm worker` runs), for one realm. */
export function realmWorker(t: TestReelm, realm: string) {
  return new Worker(t.reelm.realms.get(realm), t.reelm.composition.jobs(t.reelm).handlers, { pollMs: 10, backoff: { baseMs: 10, maxMs: 50 } });
}

const ok = (res: { statusCode: number; body: string }, what: string) => assert.ok(res.statusCode < 300, `${what}: ${res.statusCode} ${res.body}`);

export async function makeFullPerson(
  t: TestReelm,
  opts: { country?: string; friendCountry?: string; blockedCountry?: string; canary?: string; ip?: string } = {},
): Promise<FullPerson> {
  const canary = opts.canary ?? `cnry${Math.random().toString(36).slice(2, 12)}`;
  const person = await signUp(t, { country: opts.country ?? 'US', displayName: `Person ${canary}`, email: `${canary}@canary-mail.test` });
  const friend = await signUp(t, { country: opts.friendCountry ?? 'DE' });
  const blocked = await signUp(t, { country: opts.blockedCountry ?? 'BR' });
  // with trustProxy on, the person's requests come from their canary address
  const h: Record<string, string> = { ...person.headers, ...(opts.ip ? { 'x-forwarded-for': opts.ip } : {}) };
  const inject = (method: string, url: string, payload?: unknown, headers: Record<string, string> = h) =>
    t.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  ok(await inject('PATCH', '/api/v1/me/profile', { bio: `bio ${canary} <script>alert(1)</script>` }), 'profile');
  const avatar = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#2a6' } })
    .png()
    .toBuffer();
  ok(await t.app.inject({ method: 'PUT', url: '/api/v1/me/avatar', headers: { ...h, 'content-type': 'application/octet-stream' }, payload: avatar }), 'avatar');

  // A real upload, transcoded by the media job in the home realm.
  const dir = mkdtempSync(join(tmpdir(), 'reelm-rights-'));
  let videoId: string;
  try {
    const clip = makeClip(join(dir, 'clip.mp4'), { seconds: 1, extra: ['-metadata', `comment=${canary}`] });
    const up = await uploadMultipart(t, { ...person, headers: h as TestUser['headers'] }, clip);
    assert.equal(up.statusCode, 202, up.body);
    assert.equal(await mediaWorker(t.reelm, t.reelm.realms.get(person.realm)).drain(), 1);
    const status = (await inject('GET', `/api/v1/uploads/${up.json().id}`)).json();
    assert.equal(status.state, 'ready', JSON.stringify(status));
    videoId = status.videoId;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const post = await inject('POST', '/api/v1/posts', { videoId, caption: `my video ${canary} #rights @${friend.handle}` });
  assert.equal(post.statusCode, 201, post.body);

  const friendPost = await postVideo(t, friend, { caption: 'friend video #rights' });
  await postVideo(t, blocked, { caption: 'blocked video #rights' });
  await deliverAll(t);
  const page = await inject('GET', '/api/v1/feed/for-you?limit=5');
  ok(page, 'for you');
  assert.ok(page.json().items.length > 0, `the For You page shows something: ${page.body}`);

  ok(await inject('POST', `/api/v1/users/${friend.handle}/follow`), 'follow');
  ok(await inject('POST', `/api/v1/users/${person.handle}/follow`, undefined, friend.headers), 'followed back');
  await deliverAll(t);

  ok(await inject('PUT', `/api/v1/posts/${friendPost.videoId}/like`), 'like');
  ok(await inject('POST', `/api/v1/posts/${friendPost.videoId}/comments`, { body: `nice ${canary}` }), 'comment');
  const friendComment = await inject('POST', `/api/v1/posts/${videoId}/comments`, { body: 'thanks for sharing' }, friend.headers);
  assert.equal(friendComment.statusCode, 201, friendComment.body);
  await deliverAll(t);
  ok(await inject('PUT', `/api/v1/posts/${videoId}/comments/${friendComment.json().id}/like`), 'comment like');
  const coll = await inject('POST', '/api/v1/me/collections', { name: `saved ${canary}` });
  assert.equal(coll.statusCode, 201, coll.body);
  ok(await inject('PUT', `/api/v1/posts/${friendPost.videoId}/favorite`, { collectionId: coll.json().id }), 'favorite');
  ok(await inject('POST', `/api/v1/posts/${friendPost.videoId}/shares`, { channel: 'link' }), 'share');
  ok(
    await inject('POST', '/api/v1/watch-events', {
      events: [
        {
          clientEventId: `w-${canary}`,
          videoId: friendPost.videoId,
          watchedMs: 4000,
          durationMs: 9000,
          completed: false,
          replays: 0,
          playedAt: new Date().toISOString(),
        },
      ],
    }),
    'watch',
  );
  ok(await inject('PUT', `/api/v1/blocks/${blocked.handle}`), 'block');
  ok(await inject('PUT', '/api/v1/me/interests', { interests: ['rights', 'music'] }), 'interests');
  ok(await inject('POST', '/api/v1/feed/feedback', { kind: 'creator', id: blocked.userId }), 'feedback');
  ok(await inject('GET', `/api/v1/search?q=${person.handle}&type=accounts`), 'search');
  // privacy: settings and keyword filters, a mute, a follow request to a private account; then the person goes
  // private (keeping their followers), receives a request, and posts "public" (held back as followers-only)
  ok(await inject('PATCH', '/api/v1/me/settings', { hideLikes: true, keywordFilters: [`spoiler${canary}`] }), 'settings');
  const shy = await signUp(t, { country: opts.blockedCountry ?? 'BR' });
  ok(await t.app.inject({ method: 'PATCH', url: '/api/v1/me/settings', headers: shy.headers, payload: { isPrivate: true } }), 'shy goes private');
  ok(await inject('PUT', `/api/v1/mutes/${shy.handle}`), 'mute');
  ok(await inject('POST', `/api/v1/users/${shy.handle}/follow`), 'follow request');
  ok(await inject('PATCH', '/api/v1/me/settings', { isPrivate: true }), 'private');
  await deliverAll(t);
  ok(await t.app.inject({ method: 'POST', url: `/api/v1/users/${person.handle}/follow`, headers: shy.headers }), 'request to them');
  const held = await makeVideo(t, person);
  ok(await inject('POST', '/api/v1/posts', { videoId: held.videoId, caption: 'held back', audience: 'public' }), 'held post');
  await deliverAll(t);
  // moderation: they report an account (their reports_made row names that person), the friend reports their
  // video (a report in their realm about their content), a moderator labels it (an action and a hold) and
  // they appeal once
  // (the note carries no canary: it is written for the moderators of the reported account's realm and stays with
  // the report there, without the reporter's identity, when the reporter leaves — docs/RIGHTS.md)
  const reported = await report(t, { ...person, headers: h as TestUser['headers'] }, 'account', blocked.userId, 'spam', 'posts the same link everywhere');
  assert.equal(reported.statusCode, 201, reported.body);
  const aboutThem = await report(t, friend, 'video', videoId, 'misinformation');
  assert.equal(aboutThem.statusCode, 201, aboutThem.body);
  await deliverAll(t);
  const moderator = await staffToken(t, t.reelm.policy.realms.get(person.realm)!.operator);
  const label = await moderate(t, moderator, person.realm, 'video', videoId, 'label', { label: 'unverified' });
  ok(await inject('POST', '/api/v1/me/appeals', { actionId: label.id, text: `Appeal ${canary}: the claim is sourced.` }), 'appeal');
  await deliverAll(t);
  // a justified staff read of their protected data (R12), which they can see
  const operator = t.reelm.policy.realms.get(person.realm)!.operator;
  const staff = await addStaff(t.reelm, { operator, name: 'Sam Support', role: 'support' });
  ok(
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/staff/reads',
      headers: { authorization: `Bearer ${staff.token}` },
      payload: { userId: person.userId, justification: `Ticket ${canary}: the person asked for help logging in` },
    }),
    'staff read',
  );
  // an earlier export of their data
  ok(await inject('POST', '/api/v1/me/exports'), 'export');
  await realmWorker(t, person.realm).drain();
  await deliverAll(t);
  return { person, friend, blocked, canary, videoId, friendVideoId: friendPost.videoId };
}
