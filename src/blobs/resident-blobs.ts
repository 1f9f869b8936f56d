import type { Readable } from 'node:stream';
import type { RealmStore } from '../realm/store.ts';
import { RESIDENCY_VIOLATION } from '../realm/guard.ts';
import { ownerPrefix, type BlobInfo } from './blob-store.ts';

// The blob-side residency guard (R3): a person's file may only be written to
// their home realm's blob store, under their own prefix. The database guard
// cannot see blob stores, so personal writes go through here.

export class ResidencyViolation extends Error {
  readonly code = RESIDENCY_VIOLATION;
}

export async function putOwned(store: RealmStore, ownerId: string, key: string, body: Buffer | Readable, opts?: { contentType?: string }): Promise<BlobInfo> {
  if (!key.startsWith(ownerPrefix(ownerId))) throw new ResidencyViolation(`${RESIDENCY_VIOLATION}: key ${key} is not under ${ownerPrefix(ownerId)}`);
  const resident = await store.db.selectFrom('users').select('id').where('id', '=', ownerId).executeTakeFirst();
  if (!resident) throw new ResidencyViolation(`${RESIDENCY_VIOLATION}: ${ownerId} is not a resident of realm ${store.name}`);
  return store.blobs.put(key, body, opts);
}
