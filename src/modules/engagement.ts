import type { Transaction } from 'kysely';
import type { Reelm } from '../context.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';

// Engagement events: the one hook by which the part that stores a person's
// watches, likes, favorites and shares (social) tells the parts that learn
// from them (feed) — without importing them. A module declares
// `onEngagement`; the composition root collects the listeners; the emitter
// calls each inside the emitter's own transaction, so a listener's rows are
// stored exactly when the social write is (and rolled back with it). A
// listener must only store (cheap, indexed writes): learning belongs to a
// background task, never to the request.

export interface EngagementEvent {
  videoId: string;
  kind: 'watch' | 'like' | 'favorite' | 'share';
  completed?: boolean;
  skipped?: boolean;
  /** watched time / duration, 0..1 */
  watchedFraction?: number;
  at: number;
}

/** Called in the person's home realm, inside the transaction that stored the events. */
export type EngagementListener = (trx: Transaction<RealmDatabase>, store: RealmStore, userId: string, events: readonly EngagementEvent[]) => Promise<void>;

/** Tells every module listening for engagement, inside `trx`. Newly stored events only (a retried batch is told once). */
export async function emitEngagement(
  reelm: Reelm,
  trx: Transaction<RealmDatabase>,
  store: RealmStore,
  userId: string,
  events: readonly EngagementEvent[],
): Promise<void> {
  if (events.length === 0) return;
  for (const listener of reelm.composition.engagementListeners) await listener(trx, store, userId, events);
}
