import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';

// Media tables, all resident in the uploader's home realm. `videos` is about
// media only (files, sizes, state); posts (caption, audience) are a layer above,
// keyed by video id.

export type UploadState = 'receiving' | 'received' | 'processing' | 'ready' | 'failed';
export type VideoStatus = 'processing' | 'ready' | 'failed';

export interface UploadsTable {
  id: string;
  owner_id: string;
  method: 'tus' | 'multipart';
  state: UploadState;
  /** bytes announced by the client (tus Upload-Length) or received (multipart) */
  size_bytes: number;
  /** JSON UploadOptions: trim, mute, sound, duet */
  options: string;
  /** the video this upload becomes; assigned at creation so a re-run job reuses it */
  video_id: string;
  /** resumable upload id in the realm's tus store */
  tus_id: string | null;
  /** tus: bytes stored so far (in the realm's blobs), so any API process can resume the upload */
  received_bytes: number;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
  /** an unfinished upload is removed, bytes included, after this time */
  expires_at: number;
}

export interface Rendition {
  name: string;
  width: number;
  height: number;
  bitrate: number;
  sizeBytes: number;
  key: string;
  hlsKey: string;
  /**
   * While processing: the lowest rung is playable through its growing HLS
   * (EVENT) playlist, but its MP4 (`key`) is written only when the encode
   * ends; bitrate and size are 0 until then.
   */
  live?: boolean;
}

export interface VideosTable {
  id: string;
  owner_id: string;
  upload_id: string;
  status: VideoStatus;
  progress: number;
  duration_ms: number | null;
  width: number | null;
  height: number | null;
  /** JSON Rendition[], lowest first; set as a whole, so a re-run never duplicates */
  renditions: string;
  hls_master_key: string | null;
  poster_key: string | null;
  /** JSON string[] */
  thumbnail_keys: string;
  original_key: string | null;
  has_audio: number;
  allow_duet: number;
  /** the sound this video's soundtrack is (its own, or one it used) */
  sound_id: string | null;
  /** JSON { realm, videoId } when this video is a duet */
  duet_of: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
  ready_at: number | null;
}

export interface SoundsTable {
  id: string;
  /** the original creator */
  owner_id: string;
  video_id: string;
  title: string;
  audio_key: string;
  duration_ms: number;
  usage_count: number;
  created_at: number;
}

export interface MediaTables {
  uploads: UploadsTable;
  videos: VideosTable;
  sounds: SoundsTable;
}

export const mediaTables = defineTables([
  {
    name: 'uploads',
    kind: 'resident',
    ownerColumn: 'owner_id',
    purpose: 'upload sessions and their state, shown to the uploader',
    columns: {
      id: 'operational',
      owner_id: 'operational',
      method: 'operational',
      state: 'operational',
      size_bytes: 'operational',
      options: 'protected',
      video_id: 'operational',
      tus_id: 'operational',
      received_bytes: 'operational',
      error_code: 'operational',
      error_message: 'protected',
      created_at: 'operational',
      updated_at: 'operational',
      expires_at: 'operational',
    },
  },
  {
    name: 'videos',
    kind: 'resident',
    ownerColumn: 'owner_id',
    purpose: 'uploaded videos at the media level: renditions, poster, size, processing state',
    columns: {
      id: 'public',
      owner_id: 'public',
      upload_id: 'operational',
      status: 'public',
      progress: 'operational',
      duration_ms: 'public',
      width: 'public',
      height: 'public',
      renditions: 'public',
      hls_master_key: 'public',
      poster_key: 'public',
      thumbnail_keys: 'public',
      // the original may carry camera metadata (location, device): only its owner sees it
      original_key: 'protected',
      has_audio: 'public',
      allow_duet: 'public',
      sound_id: 'public',
      duet_of: 'public',
      error_code: 'operational',
      error_message: 'protected',
      created_at: 'public',
      updated_at: 'operational',
      ready_at: 'operational',
    },
  },
  {
    name: 'sounds',
    kind: 'resident',
    ownerColumn: 'owner_id',
    purpose: 'reusable soundtracks taken from uploaded videos, owned by their original creator',
    columns: {
      id: 'public',
      owner_id: 'public',
      video_id: 'public',
      title: 'public',
      audio_key: 'public',
      duration_ms: 'public',
      usage_count: 'public',
      created_at: 'public',
    },
  },
]);

export const mediaMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('uploads')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('video_id', 'text', (c) => c.notNull().unique())
      .addColumn('tus_id', 'text', (c) => c.unique())
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('uploads_owner_created').on('uploads').columns(['owner_id', 'created_at']).execute();
    await db.schema
      .createTable('videos')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('upload_id', 'text', (c) => c.notNull().unique())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('duration_ms', 'integer')
      .addColumn('width', 'integer')
      .addColumn('height', 'integer')
      .addColumn('renditions', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('hls_master_key', 'text')
      .addColumn('poster_key', 'text')
      .addColumn('thumbnail_keys', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('original_key', 'text')
      .addColumn('has_audio', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('allow_duet', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('sound_id', 'text')
      .addColumn('duet_of', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('ready_at', 'bigint')
      .execute();
    await db.schema.createIndex('videos_owner').on('videos').columns(['owner_id', 'created_at']).execute();
    await db.schema
      .createTable('sounds')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('video_id', 'text', (c) => c.notNull().unique())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('audio_key', 'text', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

/** Resumable uploads' offsets in the realm database (their bytes in its blobs), not in one process's folder. */
export const tusOffsetsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('uploads')
      .addColumn('received_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
