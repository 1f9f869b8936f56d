import assert from 'node:assert/strict';
import type { TestReelm } from '../helpers/lanes.ts';
import type { TestUser } from '../helpers/users.ts';
import { api, deliver, postVideo } from '../social/helpers.ts';
import { trainPending } from '../../src/feed/trainer.ts';

// For You tests: videos posted through the API (social helpers), watch events
// through POST /api/v1/watch-events, pages through GET /api/v1/feed/for-you.

export interface FeedItem {
  id: string;
  author: { id: string };
  hashtags: string[];
  sound: { id: string } | null;
  playUrl: string | null;
  hlsUrl: string | null;
  why: { source: string; sentence: string };
  viewer: { liked: boolean; favorited: boolean; following: boolean };
}
export interface FeedPage {
  items: FeedItem[];
  nextCursor: string | null;
  modelVersion: number;
}

export async function page(t: TestReelm, who: TestUser | undefined, cursor?: string | null, limit = 6, extra = ''): Promise<FeedPage> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor) q.set('cursor', cursor);
  const res = await api(t).get(`/api/v1/feed/for-you?${q}${extra}`, who);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

let n = 0;
export async function watch(t: TestReelm, who: TestUser, videoIds: string[], completed = true) {
  const events = videoIds.map((videoId) => ({
    clientEventId: `ev-${++n}-${Date.now()}`,
    videoId,
    watchedMs: completed ? 9000 : 800,
    durationMs: 9000,
    completed,
    replays: 0,
    playedAt: new Date().toISOString(),
  }));
  const res = await api(t).post('/api/v1/watch-events', who, { events });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().stored, videoIds.length);
}

/** One run of every realm's trainer, as the serve/worker role's `feed-training` task does; returns the events learnt. */
export async function learn(t: TestReelm): Promise<number> {
  let n = 0;
  for (const name of t.reelm.realms.names()) n += (await trainPending(t.reelm, t.reelm.realms.get(name))).events;
  return n;
}

/** Posts `count` videos per hashtag for each creator; returns video id → tag. */
export async function world(t: TestReelm, creators: TestUser[], tags: string[], count: number, body: Record<string, unknown> = {}) {
  const tagOf = new Map<string, string>();
  for (let i = 0; i < count; i++)
    for (const c of creators)
      for (const tag of tags) {
        const { videoId } = await postVideo(t, c, { caption: `clip ${i} #${tag}`, ...body });
        tagOf.set(videoId, tag);
      }
  await deliver(t);
  return tagOf;
}
