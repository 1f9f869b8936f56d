import type { BlobConfig } from '../config/config.ts';
import type { BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './local-store.ts';
import { S3BlobStore } from './s3-store.ts';

/** Opens a realm's blob store from its manifest entry. The S3 driver creates its
 * bucket (private) on first use when it does not exist. */
export function openBlobStore(config: BlobConfig): BlobStore {
  if (config.kind === 'local') return new LocalBlobStore(config.dir);
  return new S3BlobStore(config);
}
