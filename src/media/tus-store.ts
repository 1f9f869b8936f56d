import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataStore, ERRORS, Upload } from '@tus/utils';
import { ownerBlobs } from '../blobs/resident-blobs.ts';
import { newId } from '../lib/ids.ts';
import type { RealmStore } from '../realm/store.ts';
import { uploadPartKey, uploadPartsPrefix } from './keys.ts';

// The tus datastore of a realm, kept in the realm's shared stores so that any
// API process can resume an upload another one started (several API
// processes per realm behind a load balancer, each with its own disk): the
// offset is `uploads.received_bytes` in the realm database, the bytes are one
// blob per PATCH in the realm's blob store under the uploader's prefix, named
// by the offset it starts at. A PATCH is spooled to local scratch space
// first (so a dropped connection keeps what arrived, as tus expects), stored
// as its part, then the offset moves by a conditional update: of two
// processes writing at the same offset one wins, the other answers 409.

const OFFSET_CONFLICT = { status_code: 409, body: 'Upload-Offset changed while this request was sent; ask with HEAD and resume.\n' };

export class RealmTusStore extends DataStore {
  readonly #store: RealmStore;
  readonly #scratch: string;
  readonly #expirationMs: number;

  constructor(store: RealmStore, opts: { scratchDir: string; expirationMs: number }) {
    super();
    this.#store = store;
    this.#scratch = opts.scratchDir;
    this.#expirationMs = opts.expirationMs;
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'expiration'];
  }

  async #row(id: string) {
    const row = await this.#store.db
      .selectFrom('uploads')
      .select(['owner_id', 'size_bytes', 'received_bytes', 'created_at', 'state'])
      .where('id', '=', id)
      .where('method', '=', 'tus')
      .executeTakeFirst();
    if (!row || row.state !== 'receiving') throw ERRORS.FILE_NOT_FOUND;
    return row;
  }

  // The uploads row is written by the server's onUploadCreate hook, before this.
  override async create(upload: Upload): Promise<Upload> {
    await this.#row(upload.id);
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const row = await this.#row(id);
    return new Upload({ id, size: Number(row.size_bytes), offset: Number(row.received_bytes), creation_date: new Date(Number(row.created_at)).toISOString() });
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const row = await this.#row(id);
    if (Number(row.received_bytes) !== offset) throw OFFSET_CONFLICT;
    await mkdir(this.#scratch, { recursive: true });
    const spool = join(this.#scratch, `${id}.${newId()}.part`);
    let received = 0;
    let broken: unknown;
    try {
      const out = createWriteStream(spool);
      readable.on('data', (chunk: Buffer) => (received += chunk.length));
      await pipeline(readable, out).catch((err) => (broken = err));
      if (received > 0) {
        await (await ownerBlobs(this.#store, row.owner_id)).putFile(uploadPartKey(row.owner_id, id, offset), spool);
        const moved = await this.#store.db
          .updateTable('uploads')
          .set({ received_bytes: offset + received, updated_at: Date.now() })
          .where('id', '=', id)
          .where('state', '=', 'receiving')
          .where('received_bytes', '=', offset)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw OFFSET_CONFLICT;
      }
    } finally {
      await rm(spool, { force: true });
    }
    if (broken) throw ERRORS.FILE_WRITE_ERROR;
    return offset + received;
  }

  /** Joins the parts into one local file (the caller removes it) for validation and the source blob. */
  async assemble(id: string): Promise<{ file: string; size: number }> {
    const row = await this.#row(id);
    await mkdir(this.#scratch, { recursive: true });
    const file = join(this.#scratch, `${id}.${newId()}.whole`);
    const out = createWriteStream(file);
    try {
      for (let at = 0; at < Number(row.received_bytes);) {
        const part = await this.#store.blobs.get(uploadPartKey(row.owner_id, id, at));
        let n = 0;
        part.on('data', (c: Buffer) => (n += c.length));
        await pipeline(part, out, { end: false });
        if (n === 0) throw new Error(`upload ${id}: empty part at ${at}`);
        at += n;
      }
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
    return { file, size: Number(row.received_bytes) };
  }

  override async remove(id: string): Promise<void> {
    const row = await this.#store.db.selectFrom('uploads').select('owner_id').where('id', '=', id).executeTakeFirst();
    if (!row) throw ERRORS.FILE_NOT_FOUND;
    await this.#store.blobs.deletePrefix(uploadPartsPrefix(row.owner_id, id));
  }

  // Expired unfinished uploads go with their rows, bytes included (UploadService.expire).
  override async deleteExpired(): Promise<number> {
    return 0;
  }

  override getExpiration(): number {
    return this.#expirationMs;
  }
}
