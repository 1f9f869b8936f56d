import type { BlobConfig } from '../config/config.ts';
import type { BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './local-store.ts';

export function openBlobStore(config: BlobConfig): BlobStore {
  if (config.kind === 'local') return new LocalBlobStore(config.dir);
  throw new Error('the S3 blob driver is not available in this build');
}
