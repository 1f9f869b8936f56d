import { createHash, randomBytes } from 'node:crypto';
import { hashPassword } from '../accounts/passwords.ts';
import { putOwned } from '../blobs/resident-blobs.ts';
import { ownerPrefix } from '../blobs/blob-store.ts';
import type { Reelm } from '../context.ts';
import { realmStatus } from '../realm/lifecycle.ts';
import type { RealmStore } from '../realm/store.ts';
import { writeRealmLog } from '../residency/realm-log.ts';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, MANIFEST_NAME, mediaPath, type ArchiveManifest } from './archive.ts';
import { residentTables, type PersonRow } from './person-data.ts';
import { insertPersonRecords, removePersonRecords } from './restore.ts';
import { readTar } from './tar.ts';
import { announceFollows } from '../graph/service.ts';
import { postAnnouncer } from '../social/posts.ts';

// Import (P2): a "download your data" archive (format reelm-export v2) becomes an account in a realm
// where that account does not exist — after it was deleted, or from another Reelm deployment. The
// account keeps its id (so every record, file key and reference in the archive stays true, and
// export → import → export gives an equal archive); an id, handle or email still in use is refused.
// Everything is checked before anything is written (format, version, every file's SHA-256, row counts,
// every row owned by the archive's person, every file under their prefix); the records are then
// written through the realm's database (the residency guard checks each row) and the files through
// ownerBlobs. Not restored: sessions (their token hashes are withheld), the old realm's job queue
// rows, archive bookkeeping (data_exports) and staff reads (the old realm's signed log). The password
// hash is withheld too, so the account gets a new one-time password the operator hands over.
// Nor their followers (follower_edges, follower_count): those follows ended when the account was
// deleted (graph.followee_gone). Then the person's own follows and posts are announced again.

export class ImportRefused extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Resident tables an import does not write (see above). */
export const NOT_IMPORTED: ReadonlySet<string> = new Set(['sessions', 'jobs', 'data_exports', 'follower_edges']);
/** Columns an import sets anew: the home and country, the password's date (a new password), the follower count (no followers yet). */
export const IMPORTED_COLUMNS = { users: ['home_realm', 'country', 'password_changed_at', 'follower_count'] } as const;

export interface ParsedArchive {
  manifest: ArchiveManifest;
  records: Record<string, PersonRow[]>;
  media: { key: string; data: Buffer }[];
}

export interface ImportOptions {
  realm: string;
  /** the person's country in the new realm (default: the archived one); the policy must home it there */
  country?: string;
}

export interface ImportReport {
  userId: string;
  handle: string;
  realm: string;
  country: string;
  rows: number;
  files: number;
  bytes: number;
  /** a new password, shown once: the archive carries no password hash */
  password: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const refuse = (code: string, message: string) => new ImportRefused(code, message);

/** Reads and checks an archive; throws ImportRefused (archive_invalid, archive_version, archive_tampered) on anything off. */
export function parseArchive(tar: Buffer, store: RealmStore): ParsedArchive {
  let files: Map<string, Buffer>;
  try {
    files = new Map([...readTar(tar)].map((e) => [e.name, e.data]));
  } catch (err) {
    throw refuse('archive_invalid', `not a readable tar archive (${(err as Error).message})`);
  }
  const raw = files.get(MANIFEST_NAME);
  if (!raw) throw refuse('archive_invalid', `no ${MANIFEST_NAME} in the archive: it is not a Reelm "download your data" archive, or it is incomplete`);
  const manifest = parseJson(raw, MANIFEST_NAME) as ArchiveManifest;
  if (manifest?.format !== ARCHIVE_FORMAT) throw refuse('archive_invalid', `${MANIFEST_NAME} is not a ${ARCHIVE_FORMAT} manifest`);
  if (manifest.version !== ARCHIVE_VERSION)
    throw refuse('archive_version', `archive format version ${String(manifest.version)} is not readable here (this Reelm reads version ${ARCHIVE_VERSION})`);
  const userId = String(manifest.userId);
  const resident = new Map(residentTables(store).map((t) => [t.name, t]));
  const records: Record<string, PersonRow[]> = {};
  for (const [table, entry] of Object.entries(manifest.tables ?? {})) {
    const spec = resident.get(table);
    if (!spec) throw refuse('archive_invalid', `the archive has a table "${table}" this Reelm does not hold`);
    const body = files.get(entry.file);
    if (!body) throw refuse('archive_tampered', `${entry.file} is listed in the manifest but missing`);
    if (sha256(body) !== entry.sha256) throw refuse('archive_tampered', `${entry.file} does not match its SHA-256 in the manifest`);
    const rows = (parseJson(body, entry.file) as { rows?: PersonRow[] }).rows;
    if (!Array.isArray(rows) || rows.length !== entry.rows)
      throw refuse('archive_tampered', `${entry.file} does not hold the ${entry.rows} rows the manifest lists`);
    if (rows.some((r) => r[spec.ownerColumn!] !== userId)) throw refuse('archive_tampered', `${entry.file} holds rows of someone other than ${userId}`);
    records[table] = rows;
  }
  if (records.users?.length !== 1 || records.users[0]!.id !== userId)
    throw refuse('archive_tampered', 'the archive does not hold exactly one account, its own');
  const listed = new Set([MANIFEST_NAME, 'index.html', 'data/staff-reads.json', ...Object.values(manifest.tables).map((t) => t.file)]);
  const media: ParsedArchive['media'] = [];
  for (const m of manifest.media ?? []) {
    if (m.path !== mediaPath(m.key) || !m.key.startsWith(ownerPrefix(userId)))
      throw refuse('archive_tampered', `media ${m.key} is not a file of ${userId} (files live under ${ownerPrefix(userId)})`);
    const data = files.get(m.path);
    if (!data) throw refuse('archive_tampered', `${m.path} is listed in the manifest but missing`);
    if (data.length !== m.size || sha256(data) !== m.sha256) throw refuse('archive_tampered', `${m.path} does not match its size and SHA-256 in the manifest`);
    listed.add(m.path);
    media.push({ key: m.key, data });
  }
  const extra = [...files.keys()].filter((n) => !listed.has(n));
  if (extra.length) throw refuse('archive_tampered', `files not in the manifest: ${extra.slice(0, 5).join(', ')}`);
  return { manifest, records, media };
}

function parseJson(b: Buffer, name: string): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    throw refuse('archive_invalid', `${name} is not valid JSON`);
  }
}

/** Imports an archive into `opts.realm`; everything is checked first, and a failure part-way leaves nothing behind. */
export async function importArchive(reelm: Reelm, tar: Buffer, opts: ImportOptions): Promise<ImportReport> {
  if (!reelm.realms.has(opts.realm)) throw refuse('unknown_realm', `realm "${opts.realm}" is not open in this process`);
  const store = reelm.realms.get(opts.realm);
  const { state } = await realmStatus(store, 0);
  if (state !== 'open') throw refuse('realm_not_open', `realm ${store.name} is ${state}: nothing can be imported into it now`);
  const { manifest, records, media } = parseArchive(tar, store);
  const user = records.users![0]!;
  const userId = String(user.id);
  const country = (opts.country ?? String(user.country)).toUpperCase();
  const homed = reelm.policy.homeRealmFor(country);
  if (homed !== store.name)
    throw refuse('wrong_realm', `the policy homes ${country} in realm ${homed ?? '(none)'}, not ${store.name}: import there, or give the person's new country`);
  const known = await reelm.directory.byUserId(userId);
  if (known) throw refuse('account_exists', `account ${userId} (@${String(user.handle)}) still exists in realm ${known.realm}: move it instead`);
  if (await store.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst())
    throw refuse('account_exists', `realm ${store.name} already holds ${userId} without a directory entry (run \`reelm audit\`)`);
  const claim = await reelm.directory.claim(userId, store.name, String(user.handle_key), String(user.email));
  if (claim !== 'ok') throw refuse(claim, claim === 'handle_taken' ? `the handle @${String(user.handle)} is taken` : 'another account uses that email address');

  const password = randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password);
  const now = Date.now();
  const own = ownIds(userId, records);
  const home = (table: string, r: PersonRow): PersonRow => {
    const row = repoint(r, own, manifest.realm, store.name);
    return table === 'users' ? { ...row, home_realm: store.name, country, password_hash: passwordHash, password_changed_at: now, follower_count: 0 } : row;
  };
  try {
    let rows = 0;
    await store.db.transaction().execute(async (trx) => {
      rows = await insertPersonRecords(store, trx, records, { skip: NOT_IMPORTED, map: home });
    });
    let bytes = 0;
    for (const m of media) {
      await putOwned(store, userId, m.key, m.data);
      bytes += m.data.length;
    }
    await reelm.directory.activate(userId);
    // Last, in one transaction: what other realms dropped at the deletion is sent again (their follows
    // and posts); if this fails, nothing was sent and the catch below removes everything.
    const announcePosts = await postAnnouncer(reelm, store, userId);
    await store.transact(async (tx) => {
      await announceFollows(tx, userId);
      await announcePosts(tx);
    });
    writeRealmLog(store.manifest, 'account_imported', { userId, from: manifest.realm, rows, files: media.length });
    return { userId, handle: String(user.handle), realm: store.name, country, rows, files: media.length, bytes, password };
  } catch (err) {
    await store.blobs.deletePrefix(ownerPrefix(userId));
    await removePersonRecords(store, userId);
    await reelm.directory.release(userId);
    if (err instanceof ImportRefused) throw err;
    throw refuse('import_failed', `the archive's records could not be written into realm ${store.name} (${(err as Error).message}); nothing was kept`);
  }
}

/** The person's id and their videos' ids: the `<x>_id` values whose `<x>_realm` names their home. */
function ownIds(userId: string, records: Record<string, PersonRow[]>): Set<string> {
  return new Set([userId, ...(records.videos ?? []).map((v) => String(v.id)), ...(records.posts ?? []).map((p) => String(p.video_id))]);
}

/** `<x>_realm` columns naming the archive's realm for the person or their videos point at the new home (as moves.relocated does). */
function repoint(r: PersonRow, own: Set<string>, from: string, to: string): PersonRow {
  const out = { ...r };
  for (const [col, v] of Object.entries(r)) {
    const m = /^([a-z]+)_realm$/.exec(col);
    if (m && v === from && own.has(String(r[`${m[1]}_id`]))) out[col] = to;
  }
  return out;
}
