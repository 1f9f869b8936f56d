import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowDeliverer } from '../../src/flows/deliverer.ts';
import type { TestReelm } from '../helpers/lanes.ts';
import type { TestUser } from '../helpers/users.ts';
import { makeClip } from '../media/corpus.ts';
import { mediaWorker, uploadMultipart } from '../media/helpers.ts';

// Social and media traffic for the canary test, every request from the
// person's canary IP: an upload (its original carries the canary phone number
// in its metadata, so the blob scan has something to find at home) transcoded
// by a media job, a post mentioning someone in another realm, a comment with a
// mention, a like and watch events on another realm's post — so posts,
// comments, mentions, notifications, watch events and jobs all run.

export interface CanaryPerson {
  realm: string;
  phone: string;
  ip: string;
  user?: TestUser;
}

async function deliverAll(t: TestReelm) {
  const d = new FlowDeliverer(t.reelm);
  for (let i = 0; i < 5; i++) if ((await d.deliverOnce()).delivered === 0) break;
}

export async function socialTraffic(t: TestReelm, people: CanaryPerson[]) {
  const dir = mkdtempSync(join(tmpdir(), 'reelm-canary-media-'));
  const posts = new Map<string, string>();
  const h = (c: CanaryPerson) => ({ ...c.user!.headers, 'x-forwarded-for': c.ip });
  const next = (i: number) => people[(i + 1) % people.length]!;
  try {
    for (const [i, c] of people.entries()) {
      const clip = makeClip(join(dir, `${c.realm}.mp4`), { w: 180, h: 320, seconds: 1, extra: ['-metadata', `comment=call ${c.phone}`] });
      const up = await uploadMultipart(t, { ...c.user!, headers: h(c) as TestUser['headers'] }, clip);
      assert.equal(up.statusCode, 202, up.body);
      assert.equal(await mediaWorker(t.reelm, t.reelm.realms.get(c.realm)).drain(), 1, 'the media job ran in the home realm');
      const status = (await t.app.inject({ method: 'GET', url: `/api/v1/uploads/${up.json().id}`, headers: h(c) })).json();
      assert.equal(status.state, 'ready', JSON.stringify(status));
      const post = await t.app.inject({
        method: 'POST',
        url: '/api/v1/posts',
        headers: h(c),
        payload: { videoId: status.videoId, caption: `hello from ${c.realm} @${next(i).user!.handle} #canary` },
      });
      assert.equal(post.statusCode, 201, post.body);
      posts.set(c.realm, status.videoId);
    }
    await deliverAll(t);
    for (const [i, c] of people.entries()) {
      const theirs = posts.get(next(i).realm)!;
      const comment = await t.app.inject({
        method: 'POST',
        url: `/api/v1/posts/${theirs}/comments`,
        headers: h(c),
        payload: { body: `great one @${next(i).user!.handle}` },
      });
      assert.equal(comment.statusCode, 201, comment.body);
      assert.equal((await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${theirs}/like`, headers: h(c) })).statusCode < 300, true);
      const watch = await t.app.inject({
        method: 'POST',
        url: '/api/v1/watch-events',
        headers: h(c),
        payload: {
          events: [
            {
              clientEventId: `canary-${c.realm}`,
              videoId: theirs,
              watchedMs: 900,
              durationMs: 1000,
              completed: true,
              replays: 0,
              playedAt: new Date().toISOString(),
            },
          ],
        },
      });
      assert.ok(watch.statusCode < 300, watch.body);
    }
    await deliverAll(t);
    for (const c of people) {
      const notes = (await t.app.inject({ method: 'GET', url: '/api/v1/me/notifications', headers: h(c) })).json();
      assert.ok(notes.items.length > 0, `${c.realm} person got notifications`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
