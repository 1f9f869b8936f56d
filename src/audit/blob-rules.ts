import { ownerOfKey } from '../blobs/blob-store.ts';
import type { RealmStore } from '../realm/store.ts';

// How the audit tells whose a blob is, and whether anything still uses it.
// Personal blobs live under `users/<ownerId>/`; other parts of Reelm add rules
// here for their own prefixes (pushing to these lists at import time).

export interface BlobOwnerRule {
  /** keys starting with this prefix are judged by this rule */
  readonly prefix: string;
  readonly purpose: string;
  /** the owning person's id, or undefined for realm-level blobs */
  ownerOf(key: string): string | undefined;
}

export interface BlobReferenceCheck {
  readonly name: string;
  /** keys under users/<id>/ this check is about */
  applies(key: string): boolean;
  /** of the given keys, those no row refers to */
  unreferenced(store: RealmStore, keys: string[]): Promise<string[]>;
}

export const blobOwnerRules: BlobOwnerRule[] = [
  { prefix: 'users/', purpose: 'a person’s files', ownerOf: ownerOfKey },
  { prefix: 'exports/', purpose: '“download your data” archives, exports/<ownerId>/…', ownerOf: (k) => /^exports\/([^/]+)\//.exec(k)?.[1] },
];

export const blobReferenceChecks: BlobReferenceCheck[] = [
  {
    name: 'avatar',
    applies: (k) => /^users\/[^/]+\/avatar\//.test(k),
    async unreferenced(store, keys) {
      const used = new Set<string>();
      for (let i = 0; i < keys.length; i += 500) {
        const rows = await store.db
          .selectFrom('users')
          .select('avatar_key')
          .where('avatar_key', 'in', keys.slice(i, i + 500))
          .execute();
        for (const r of rows) if (r.avatar_key) used.add(r.avatar_key);
      }
      return keys.filter((k) => !used.has(k));
    },
  },
];
