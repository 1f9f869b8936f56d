import { ownerPrefix } from '../blobs/blob-store.ts';

// Blob keys of the media pipeline. Everything personal sits under users/<ownerId>/.
export const uploadSourceKey = (ownerId: string, uploadId: string) => `${ownerPrefix(ownerId)}uploads/${uploadId}/source`;
export const videoPrefix = (ownerId: string, videoId: string) => `${ownerPrefix(ownerId)}videos/${videoId}/`;
export const soundKey = (ownerId: string, soundId: string) => `${ownerPrefix(ownerId)}sounds/${soundId}.m4a`;
