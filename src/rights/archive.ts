import { createHash } from 'node:crypto';
import type { RealmStore } from '../realm/store.ts';
import { accessLogOf } from '../staff/staff.ts';
import { collectPersonData, type PersonData, type PersonRow } from './person-data.ts';
import { tarStream, type TarEntry } from './tar.ts';

// The "download your data" archive, format reelm-export v2 (docs/RIGHTS.md):
// a tar of
//   data/<table>.json     { table, purpose, rows } for every resident table
//   data/staff-reads.json the staff reads of their data (the access-log chain entries)
//   media/<blob key>      every file of theirs, byte for byte (originals included)
//   index.html            a human-readable summary (all text escaped)
//   reelm-export.json     the manifest: format, version, tables with row counts and SHA-256,
//                         every media file with SHA-256 and size — written last,
//                         since checksums are computed while the bytes stream by
// Credentials are withheld: a password hash or a session token hash in a
// downloaded file would let whoever finds it attack the account.

export const ARCHIVE_FORMAT = 'reelm-export';
/** 2: the manifest gives each data file's SHA-256 (v1 gave row counts only, so an import could not check them) */
export const ARCHIVE_VERSION = 2;
export const MANIFEST_NAME = 'reelm-export.json';

/** Columns never written to an archive (credentials). */
export const WITHHELD_COLUMNS: Readonly<Record<string, readonly string[]>> = { users: ['password_hash'], sessions: ['token_hash'] };
/** Resident tables that are not the person's data but bookkeeping about archives of it. */
export const NOT_ARCHIVED: readonly string[] = ['data_exports'];

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  createdAt: string;
  realm: string;
  userId: string;
  handle: string;
  tables: Record<string, { file: string; rows: number; sha256: string }>;
  withheld: Readonly<Record<string, readonly string[]>>;
  media: { path: string; key: string; sha256: string; size: number }[];
}

export interface BuiltArchive {
  stream: NodeJS.ReadableStream;
  /** resolves once the stream has been read to the end */
  manifest: Promise<ArchiveManifest>;
}

/** The rows as archived: credentials removed. */
export function archivedRows(table: string, rows: PersonRow[]): PersonRow[] {
  const withheld = WITHHELD_COLUMNS[table];
  if (!withheld) return rows;
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !withheld.includes(k))));
}

export const mediaPath = (key: string) => `media/${key}`;

/** Streams a person's archive; nothing is written to disk on the way. */
export async function buildArchive(store: RealmStore, userId: string, now = Date.now()): Promise<BuiltArchive> {
  const data = await collectPersonData(store, userId, { hashBlobs: false });
  const user = data.records.users?.[0];
  if (!user) throw new Error(`${userId} is not a resident of realm ${store.name}`);
  const staffReads = await accessLogOf(store, userId);
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    createdAt: new Date(now).toISOString(),
    realm: store.name,
    userId,
    handle: String(user.handle),
    tables: {},
    withheld: WITHHELD_COLUMNS,
    media: [],
  };
  let resolve!: (m: ArchiveManifest) => void;
  const done = new Promise<ArchiveManifest>((r) => (resolve = r));
  const purposes = new Map(store.schema.tables.map((t) => [t.name, t.purpose]));
  const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 1) + '\n');
  const file = (name: string, body: Buffer): TarEntry => ({ name, size: body.length, body, mtimeMs: now });

  async function* entries(): AsyncGenerator<TarEntry> {
    for (const table of Object.keys(data.records).sort()) {
      if (NOT_ARCHIVED.includes(table)) continue;
      const rows = archivedRows(table, data.records[table]!);
      const name = `data/${table}.json`;
      const body = json({ table, purpose: purposes.get(table), rows });
      manifest.tables[table] = { file: name, rows: rows.length, sha256: createHash('sha256').update(body).digest('hex') };
      yield file(name, body);
    }
    yield file(
      'data/staff-reads.json',
      json({ purpose: 'every time staff read your protected data, from the realm’s signed access log', entries: staffReads }),
    );
    for (const b of data.blobs) {
      const hash = createHash('sha256');
      const entry = { path: mediaPath(b.key), key: b.key, sha256: '', size: b.size };
      yield {
        name: entry.path,
        size: b.size,
        mtimeMs: now,
        body: async () => hashing(await store.blobs.get(b.key), hash, () => (entry.sha256 = hash.digest('hex'))),
      };
      manifest.media.push(entry);
    }
    yield file('index.html', Buffer.from(indexHtml(manifest, data)));
    yield file(MANIFEST_NAME, json(manifest));
    resolve(manifest);
  }
  return { stream: tarStream(entries()), manifest: done };
}

async function* hashing(source: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>, end: () => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
  end();
}

/** Escapes text for HTML element content and attribute values (S4: user text is never markup). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function indexHtml(m: ArchiveManifest, d: PersonData): string {
  const u = d.records.users![0]!;
  const e = (v: unknown) => escapeHtml(String(v ?? ''));
  const tables = Object.entries(m.tables)
    .map(([t, x]) => `<li><a href="${e(x.file)}">${e(t)}</a>: ${x.rows}</li>`)
    .join('\n');
  const media = m.media.map((x) => `<li><a href="${e(x.path)}">${e(x.key)}</a> (${x.size} bytes)</li>`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; media-src 'self'">
<title>Your Reelm data: @${e(u.handle)}</title></head>
<body><h1>@${e(u.handle)}</h1><p>${e(u.display_name)}</p><p>${e(u.bio)}</p>
<p>Exported ${e(m.createdAt)} from realm ${e(m.realm)} (format ${m.format} v${m.version}; the machine-readable manifest is ${MANIFEST_NAME}).</p>
<h2>Records</h2><ul>
${tables}
</ul><h2>Media</h2><ul>
${media}
</ul></body></html>
`;
}
