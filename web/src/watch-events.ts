import { api } from './api.ts';

// Watch events as the social layer expects (docs/SOCIAL.md): one event per play
// of a video, sent in batches every 10 s and when the page is hidden, each with
// a client id so a resend after a network error is stored once.

interface WatchEvent {
  clientEventId: string;
  videoId: string;
  watchedMs: number;
  durationMs: number;
  completed: boolean;
  replays: number;
  skipped: boolean;
  playedAt: string;
}
const queue: WatchEvent[] = [];

export function recordWatch(e: Omit<WatchEvent, 'clientEventId' | 'playedAt' | 'skipped'> & { startedAt: number }) {
  if (e.watchedMs < 200) return; // scrolled past before it started: nothing was watched
  queue.push({
    clientEventId: crypto.randomUUID().replace(/-/g, ''),
    videoId: e.videoId,
    watchedMs: Math.round(e.watchedMs),
    durationMs: Math.round(e.durationMs),
    completed: e.completed,
    replays: e.replays,
    skipped: e.watchedMs < 2000 && !e.completed,
    playedAt: new Date(e.startedAt).toISOString(),
  });
}

export async function flushWatch(beacon = false) {
  if (!queue.length) return;
  const events = queue.splice(0, 500);
  if (beacon) {
    fetch('/api/v1/watch-events', { method: 'POST', keepalive: true, credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) }).catch(() => {});
    return;
  }
  await api('POST', '/watch-events', { events }).catch(() => queue.unshift(...events)); // kept for the next batch
}

setInterval(() => void flushWatch(), 10000);
addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && void flushWatch(true));
addEventListener('pagehide', () => void flushWatch(true));
