import type { Reelm } from '../context.ts';
import type { RealmStore } from '../realm/store.ts';
import { AppError, badRequest, notFound, tooMany } from '../api/errors.ts';
import { enqueue } from '../jobs/queue.ts';
import { wakeWorkers } from '../jobs/wake.ts';
import { newId } from '../lib/ids.ts';
import { uploadSourceKey } from './keys.ts';
import type { MediaConfig } from './media-config.ts';
import type { UploadOptions } from './options.ts';
import { mayReuse } from '../social/reuse.ts';
import { MEDIA_PROCESS, removeUploadMedia } from './pipeline.ts';
import type { Rendition, UploadsTable, VideosTable } from './schema.ts';
import { MediaRefusal, validateMedia } from './validate.ts';
import { ownerBlobs } from '../blobs/resident-blobs.ts';

// Upload sessions in the uploader's home realm: limits and quota at creation,
// the bytes into the realm's blob store at completion, then one durable job.

export interface CreateUploadInput {
  ownerId: string;
  method: 'tus' | 'multipart';
  sizeBytes: number;
  options: UploadOptions;
  id?: string;
}

export class UploadService {
  readonly #reelm: Reelm;

  constructor(reelm: Reelm) {
    this.#reelm = reelm;
  }

  get limits(): MediaConfig {
    return this.#reelm.config.media;
  }

  /** Checks size, quota, rate and options, then records the upload as receiving. */
  async create(store: RealmStore, input: CreateUploadInput): Promise<UploadsTable> {
    const limits = this.limits;
    if (input.sizeBytes > limits.maxBytes)
      throw new AppError(413, 'too_large', `The file is larger than the ${Math.round(limits.maxBytes / 1024 / 1024)} MB limit.`);
    const now = Date.now();
    // Refused uploads (state failed) do not use up the hour; a slot frees when the oldest counted one turns an hour old.
    const recent = await store.db
      .selectFrom('uploads')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<number>('created_at').as('oldest')])
      .where('owner_id', '=', input.ownerId)
      .where('created_at', '>', now - 3600_000)
      .where('state', '!=', 'failed')
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= limits.uploadsPerHour) {
      const oldest = await store.db
        .selectFrom('uploads')
        .select('created_at')
        .where('owner_id', '=', input.ownerId)
        .where('created_at', '>', now - 3600_000)
        .where('state', '!=', 'failed')
        .orderBy('created_at', 'desc')
        .offset(limits.uploadsPerHour - 1)
        .limit(1)
        .executeTakeFirst();
      const frees = Number(oldest?.created_at ?? recent.oldest ?? now) + 3600_000;
      const wait = Math.max(1, Math.ceil((frees - now) / 1000));
      throw tooMany('upload_rate_limited', `You can start at most ${limits.uploadsPerHour} uploads an hour. Try again in ${wait} s.`, wait);
    }
    if ((await this.bytesLeftToday(store, input.ownerId, now)) < input.sizeBytes) {
      throw tooMany('upload_quota_exceeded', `You have used today's upload allowance of ${Math.round(limits.bytesPerDay / 1024 / 1024)} MB.`, 86_400);
    }
    await this.#checkOptions(store, input.ownerId, input.options);
    const row: UploadsTable = {
      id: input.id ?? newId(now),
      owner_id: input.ownerId,
      method: input.method,
      state: 'receiving',
      size_bytes: input.sizeBytes,
      options: JSON.stringify(input.options),
      video_id: newId(now),
      tus_id: input.method === 'tus' ? (input.id ?? null) : null,
      error_code: null,
      error_message: null,
      created_at: now,
      updated_at: now,
      expires_at: now + limits.uploadExpirySeconds * 1000,
    };
    await store.db.insertInto('uploads').values(row).execute();
    return row;
  }

  /**
   * What is left of the owner's daily byte allowance, over the sizes of their uploads of the last
   * day (declared, or received once known) other than `except`. A body of unknown length (chunked
   * multipart) is cut off when it passes this, so the quota holds on the bytes that arrive.
   */
  async bytesLeftToday(store: RealmStore, ownerId: string, now = Date.now(), except?: string): Promise<number> {
    let q = store.db
      .selectFrom('uploads')
      .select((eb) => eb.fn.sum<number>('size_bytes').as('bytes'))
      .where('owner_id', '=', ownerId)
      .where('created_at', '>', now - 86_400_000)
      .where('state', '!=', 'failed');
    if (except) q = q.where('id', '!=', except);
    const day = await q.executeTakeFirstOrThrow();
    return this.limits.bytesPerDay - Number(day.bytes ?? 0);
  }

  /**
   * The bytes have all arrived (in `file`): the header checks run at once, so a file that is not a
   * video is refused now (returned, and on the upload's status) rather than after a job; otherwise
   * the bytes go into the realm's blobs and processing is queued (the job checks everything again).
   */
  async received(store: RealmStore, uploadId: string, file: string, sizeBytes: number): Promise<MediaRefusal | undefined> {
    const upload = await store.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirst();
    if (!upload || upload.state !== 'receiving') return;
    try {
      await validateMedia(file, this.limits, undefined, { decode: 'none' });
    } catch (err) {
      // A probe that timed out may be our load, not the file: the job decides that one.
      if (!(err instanceof MediaRefusal) || err.code === 'probe_timeout') throw err;
      await store.db
        .updateTable('uploads')
        .set({ state: 'failed', size_bytes: sizeBytes, error_code: err.code, error_message: err.message, updated_at: Date.now() })
        .where('id', '=', uploadId)
        .where('state', '=', 'receiving')
        .execute();
      return err;
    }
    await (await ownerBlobs(store, upload.owner_id)).putFile(uploadSourceKey(upload.owner_id, upload.id), file);
    await store.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('uploads')
        .set({ state: 'received', size_bytes: sizeBytes, updated_at: Date.now() })
        .where('id', '=', uploadId)
        .where('state', '=', 'receiving')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1)
        await enqueue(trx, { kind: MEDIA_PROCESS, ownerId: upload.owner_id, payload: { uploadId }, dedupeKey: `media:${uploadId}`, maxAttempts: 3 });
    });
    wakeWorkers(store); // workers in this process start at once; others find it on their next poll
    return undefined;
  }

  async status(store: RealmStore, ownerId: string, uploadId: string) {
    const u = await store.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).where('owner_id', '=', ownerId).executeTakeFirst();
    if (!u) throw notFound('That upload');
    const job = await store.db
      .selectFrom('jobs')
      .select(['progress', 'state', 'attempts', 'error_code', 'error_message', 'run_at'])
      .where('dedupe_key', '=', `media:${uploadId}`)
      .executeTakeFirst();
    const video = await store.db.selectFrom('videos').select(['id', 'status', 'renditions']).where('id', '=', u.video_id).executeTakeFirst();
    return {
      id: u.id,
      state: u.state,
      method: u.method,
      sizeBytes: Number(u.size_bytes),
      progress: u.state === 'ready' ? 100 : u.state === 'processing' || u.state === 'received' ? (job?.progress ?? 0) : 0,
      videoId: video || u.state === 'ready' ? u.video_id : null,
      playable: video ? (JSON.parse(video.renditions) as Rendition[]).length > 0 : false,
      error: u.state === 'failed' ? { code: u.error_code ?? 'failed', message: u.error_message ?? 'Processing failed.' } : null,
      // a retry in progress is not silent either: the last error and when it runs again
      retry:
        job && job.state === 'queued' && job.error_code
          ? { attempts: job.attempts, lastError: job.error_code, nextAttemptAt: new Date(job.run_at).toISOString() }
          : null,
      createdAt: new Date(u.created_at).toISOString(),
      expiresAt: u.state === 'receiving' ? new Date(u.expires_at).toISOString() : null,
    };
  }

  /** An unfinished upload its owner ended (tus DELETE): the row goes, like the bytes. */
  async cancel(store: RealmStore, ownerId: string, uploadId: string): Promise<void> {
    await store.db.deleteFrom('uploads').where('id', '=', uploadId).where('owner_id', '=', ownerId).where('state', '=', 'receiving').execute();
  }

  /** Removes unfinished uploads past their expiry (the tus store removes their bytes). */
  async expire(store: RealmStore, now = Date.now()): Promise<number> {
    const stale = await store.db.selectFrom('uploads').selectAll().where('state', '=', 'receiving').where('expires_at', '<', now).execute();
    for (const u of stale) {
      await removeUploadMedia(store, u);
      await store.db.deleteFrom('uploads').where('id', '=', u.id).where('state', '=', 'receiving').execute();
    }
    return stale.length;
  }

  async #checkOptions(store: RealmStore, uploaderId: string, o: UploadOptions) {
    for (const realm of [o.sound?.realm, o.duetOf?.realm]) {
      if (realm !== undefined && !this.#reelm.policy.realms.has(realm)) throw badRequest('unknown_realm', `There is no realm called "${realm}".`);
    }
    const who = { uploaderId, store };
    if (o.sound) await checkSound(who, o.sound);
    if (o.duetOf) await checkDuet(who, o.duetOf);
  }
}

// Refusals at upload time use the same verdict as the job (public-media.ts):
// a source the uploader may not see answers exactly like a missing one.
export const soundMissing = () => badRequest('sound_not_found', 'That sound does not exist.');
export const duetMissing = () => badRequest('duet_source_not_found', 'The video to duet does not exist or is not ready yet.');
const duetRefused = () => new AppError(403, 'duet_not_allowed', 'The creator of that video does not allow duets.');

interface Who {
  uploaderId: string;
  store: RealmStore;
}

async function checkSound({ uploaderId, store }: Who, ref: { id: string; realm?: string }) {
  if ((ref.realm ?? store.name) !== store.name) return; // checked against the other realm's public API by the job
  const s = await store.db.selectFrom('sounds').select(['video_id', 'owner_id']).where('id', '=', ref.id).executeTakeFirst();
  if (!s || (await mayReuse(store.db, uploaderId, { videoId: s.video_id, videoRealm: store.name, ownerId: s.owner_id }, 'sound')) !== 'ok')
    throw soundMissing();
}

async function checkDuet({ uploaderId, store }: Who, ref: { videoId: string; realm?: string }) {
  const realm = ref.realm ?? store.name;
  const v =
    realm === store.name
      ? await store.db.selectFrom('videos').select(['status', 'allow_duet', 'owner_id']).where('id', '=', ref.videoId).executeTakeFirst()
      : { status: 'ready', allow_duet: 1, owner_id: undefined };
  if (!v || v.status !== 'ready') throw duetMissing();
  const verdict = await mayReuse(store.db, uploaderId, { videoId: ref.videoId, videoRealm: realm, ownerId: v.owner_id }, 'duet');
  if (verdict === 'missing') throw duetMissing();
  if (verdict === 'not_allowed' || !v.allow_duet) throw duetRefused();
}

export function videoView(v: VideosTable, urlOf: (key: string) => string, asOwner: boolean) {
  const renditions = JSON.parse(v.renditions) as Rendition[];
  return {
    id: v.id,
    ownerId: v.owner_id,
    status: v.status,
    progress: v.progress,
    durationMs: v.duration_ms,
    width: v.width,
    height: v.height,
    hasAudio: Boolean(v.has_audio),
    allowDuet: Boolean(v.allow_duet),
    soundId: v.sound_id,
    duetOf: v.duet_of ? JSON.parse(v.duet_of) : null,
    renditions: renditions.map((r) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      bitrate: r.bitrate,
      sizeBytes: r.sizeBytes,
      // a live rung plays through `hls` only: its MP4 is not written yet
      url: r.live ? null : urlOf(r.key),
      ...(r.live ? { live: true } : {}),
    })),
    hls: v.hls_master_key && renditions.length ? urlOf(v.hls_master_key) : null,
    poster: v.poster_key ? urlOf(v.poster_key) : null,
    thumbnails: (JSON.parse(v.thumbnail_keys) as string[]).map(urlOf),
    ...(asOwner ? { error: v.error_code ? { code: v.error_code, message: v.error_message } : null } : {}),
    createdAt: new Date(v.created_at).toISOString(),
  };
}
