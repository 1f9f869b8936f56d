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

/** The only way part code writes a person's files: bound to one resident and their key prefix. */
export interface OwnerBlobs {
  readonly ownerId: string;
  readonly realm: string;
  put(key: string, body: Buffer | Readable, opts?: { contentType?: string }): Promise<BlobInfo>;
  putFile(key: string, path: string, opts?: { contentType?: string }): Promise<BlobInfo>;
}

/** A writer for one person's files in their home realm; refused when they are not a resident of `store`. */
export async function ownerBlobs(store: RealmStore, ownerId: string): Promise<OwnerBlobs> {
  const resident = await store.db.selectFrom('users').select('id').where('id', '=', ownerId).executeTakeFirst();
  if (!resident) throw new ResidencyViolation(`${RESIDENCY_VIOLATION}: ${ownerId} is not a resident of realm ${store.name}`);
  const prefix = ownerPrefix(ownerId);
  const checked = (key: string) => {
    if (!key.startsWith(prefix)) throw new ResidencyViolation(`${RESIDENCY_VIOLATION}: key ${key} is not under ${prefix}`);
    return key;
  };
  return {
    ownerId,
    realm: store.name,
    put: async (key, body, opts) => store.blobs.put(checked(key), body, opts),
    putFile: async (key, path, opts) => store.blobs.putFile(checked(key), path, opts),
  };
}

export async function putOwned(store: RealmStore, ownerId: string, key: string, body: Buffer | Readable, opts?: { contentType?: string }): Promise<BlobInfo> {
  return (await ownerBlobs(store, ownerId)).put(key, body, opts);
}
