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

/** Writes one of a resident's "download your data" archives, under the manifest's export prefix for them only. */
export async function putOwnedExport(
  store: RealmStore,
  ownerId: string,
  key: string,
  body: Buffer | Readable,
  opts?: { contentType?: string },
): Promise<BlobInfo> {
  const prefix = `${store.manifest.exports.blobPrefix}${ownerId}/`;
  if (!key.startsWith(prefix)) throw new ResidencyViolation(`${RESIDENCY_VIOLATION}: key ${key} is not under ${prefix}`);
  const resident = await store.db.selectFrom('users').select('id').where('id', '=', ownerId).executeTakeFirst();
  if (!resident) throw new ResidencyViolation(`${RESIDENCY_VIOLATION}: ${ownerId} is not a resident of realm ${store.name}`);
  return store.blobs.put(key, body, opts);
}

/** Writes a realm-level file (no person's: e.g. shared placeholder media); refused for a key under a person's or an export prefix. */
export async function putRealmFile(store: RealmStore, key: string, path: string): Promise<BlobInfo> {
  if (key.startsWith('users/') || key.startsWith(store.manifest.exports.blobPrefix))
    throw new ResidencyViolation(`${RESIDENCY_VIOLATION}: key ${key} belongs to a person; write it through ownerBlobs`);
  return store.blobs.putFile(key, path);
}
