import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { conflict } from '../api/errors.ts';
import { putOwnedExport } from '../blobs/resident-blobs.ts';
import type { Reelm } from '../context.ts';
import { enqueue, JobError } from '../jobs/queue.ts';
import type { JobHandler } from '../jobs/worker.ts';
import { newId } from '../lib/ids.ts';
import { signedMediaUrl } from '../media-serving/media-links.ts';
import type { RealmStore } from '../realm/store.ts';
import { buildArchive } from './archive.ts';
import { archivePrefix } from './person-data.ts';
import type { DataExportsTable } from './schema.ts';

// "Download your data" (P1): a request is a row plus a job in the person's home
// realm; the job streams the archive (archive.ts) into that realm's blob store
// under exports/<userId>/; the person fetches it through a signed link bound to
// them that expires; the sweep deletes archives after `rights.exportRetentionHours`.

export const EXPORT_JOB = 'rights.export';

export const archiveKeyOf = (store: RealmStore, userId: string, exportId: string) => `${archivePrefix(store, userId)}${exportId}.tar`;

export async function requestExport(store: RealmStore, userId: string, now = Date.now()): Promise<DataExportsTable> {
  return store.db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('data_exports')
      .select('id')
      .where('user_id', '=', userId)
      .where('state', 'in', ['queued', 'building'])
      .executeTakeFirst();
    if (open) throw conflict('export_in_progress', 'An export of your data is already being prepared; it will be listed here when it is ready.');
    const row: DataExportsTable = {
      id: newId(now),
      user_id: userId,
      state: 'queued',
      archive_key: null,
      size_bytes: null,
      sha256: null,
      error_code: null,
      created_at: now,
      ready_at: null,
      expires_at: null,
    };
    await trx.insertInto('data_exports').values(row).execute();
    await enqueue(trx, { kind: EXPORT_JOB, ownerId: userId, payload: { exportId: row.id }, dedupeKey: `${EXPORT_JOB}:${row.id}` }, now);
    return row;
  });
}

export interface ExportItem {
  id: string;
  state: DataExportsTable['state'];
  createdAt: string;
  readyAt: string | null;
  expiresAt: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  /** a link to the archive, for this signed-in person only, valid until downloadExpiresAt */
  downloadUrl: string | null;
  downloadExpiresAt: string | null;
}

export async function listExports(reelm: Reelm, store: RealmStore, userId: string, now = Date.now()): Promise<ExportItem[]> {
  const rows = await store.db.selectFrom('data_exports').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').limit(50).execute();
  const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  return rows.map((r) => {
    const live = r.state === 'ready' && r.archive_key !== null && Number(r.expires_at) > now;
    const link = live
      ? signedMediaUrl(reelm, store.name, r.archive_key!, {
          viewer: userId,
          // never past the archive's own deletion
          ttlSeconds: Math.max(1, Math.min(reelm.config.rights.downloadLinkSeconds, Math.floor((Number(r.expires_at) - now) / 1000))),
          nowSeconds: Math.floor(now / 1000),
        })
      : undefined;
    return {
      id: r.id,
      state: r.state,
      createdAt: iso(r.created_at)!,
      readyAt: iso(r.ready_at),
      expiresAt: iso(r.expires_at),
      sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
      sha256: r.sha256,
      downloadUrl: link?.url ?? null,
      downloadExpiresAt: link ? new Date(link.expiresAt * 1000).toISOString() : null,
    };
  });
}

/** The export job: idempotent (a re-run after a crash writes the same key again). */
export function exportJobHandler(reelm: Reelm): JobHandler {
  return {
    async run(payload: { exportId: string }, ctx) {
      const { store } = ctx;
      const row = await store.db.selectFrom('data_exports').selectAll().where('id', '=', payload.exportId).executeTakeFirst();
      if (!row || row.state === 'ready' || row.state === 'expired') return;
      await store.db.updateTable('data_exports').set({ state: 'building' }).where('id', '=', row.id).execute();
      const key = archiveKeyOf(store, row.user_id, row.id);
      const built = await buildArchive(store, row.user_id);
      const hash = createHash('sha256');
      let size = 0;
      const counted = built.stream.pipe(
        new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            size += chunk.length;
            cb(null, chunk);
          },
        }),
      );
      built.stream.on('error', (err) => counted.destroy(err));
      if (ctx.signal.aborted) throw new JobError('aborted', 'the worker stopped');
      await putOwnedExport(store, row.user_id, key, counted, { contentType: 'application/x-tar' });
      await built.manifest;
      const now = Date.now();
      await store.db
        .updateTable('data_exports')
        .set({
          state: 'ready',
          archive_key: key,
          size_bytes: size,
          sha256: hash.digest('hex'),
          ready_at: now,
          expires_at: now + reelm.config.rights.exportRetentionHours * 3600_000,
        })
        .where('id', '=', row.id)
        .where('state', '=', 'building')
        .execute();
    },
    async failed(payload: { exportId: string }, error, { store }) {
      await store.db.updateTable('data_exports').set({ state: 'failed', error_code: error.code }).where('id', '=', payload.exportId).execute();
    },
  };
}

/** Deletes archives past their time; returns how many. Failed requests are dropped after the same time. */
export async function expireExports(reelm: Reelm, store: RealmStore, now = Date.now()): Promise<number> {
  const due = await store.db
    .selectFrom('data_exports')
    .select(['id', 'archive_key'])
    .where('state', '=', 'ready')
    .where('expires_at', '<=', now)
    .limit(500)
    .execute();
  for (const r of due) {
    if (r.archive_key) await store.blobs.delete(r.archive_key);
    await store.db.updateTable('data_exports').set({ state: 'expired', archive_key: null }).where('id', '=', r.id).execute();
  }
  await store.db
    .deleteFrom('data_exports')
    .where('state', '=', 'failed')
    .where('created_at', '<=', now - reelm.config.rights.exportRetentionHours * 3600_000)
    .execute();
  return due.length;
}
