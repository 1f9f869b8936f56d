import type { RealmStore } from '../realm/store.ts';

// In-process nudge: code that has just enqueued a job in a realm wakes that
// realm's workers in this process at once instead of waiting for their next
// poll. Workers in other processes find the job on their next poll anyway.

const listeners = new WeakMap<RealmStore, Set<() => void>>();

export function wakeWorkers(store: RealmStore): void {
  for (const fn of listeners.get(store) ?? []) fn();
}

/** Returns the function that stops listening. */
export function onJobQueued(store: RealmStore, fn: () => void): () => void {
  let set = listeners.get(store);
  if (!set) listeners.set(store, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}
