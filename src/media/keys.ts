import { ownerPrefix } from '../blobs/blob-store.ts';

// Blob keys of the media pipeline. Everything personal sits under users/<ownerId>/.
/** A resumable upload's received bytes, one blob per PATCH, named by its start offset (src/media/tus-store.ts). */
export const uploadPartsPrefix = (ownerId: string, uploadId: string) => `${ownerPrefix(ownerId)}uploads/${uploadId}/parts/`;
export const uploadPartKey = (ownerId: string, uploadId: string, offset: number) =>
  `${uploadPartsPrefix(ownerId, uploadId)}${String(offset).padStart(13, '0')}`;
export const uploadSourceKey = (ownerId: string, uploadId: string) => `${ownerPrefix(ownerId)}uploads/${uploadId}/source`;
export const videoPrefix = (ownerId: string, videoId: string) => `${ownerPrefix(ownerId)}videos/${videoId}/`;
export const soundKey = (ownerId: string, soundId: string) => `${ownerPrefix(ownerId)}sounds/${soundId}.m4a`;
