import { handleKeyOf } from '../directory/directory.ts';
import { sql, type Kysely } from 'kysely';
import type { Viewer } from '../api/auth.ts';
import type { Reelm } from '../context.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import { playbackLinker } from './media-port.ts';
import { toItem, type PostItem } from './items.ts';
import { tagKey } from './text.ts';
import { blockedSet, listStore, visibleTo } from './visibility.ts';
import { notHiddenByChoice } from '../privacy/filters.ts';

// Search, inside each realm's own database (its manifest's search index):
//  • videos, hashtags and sounds — full text over the viewer's realm's
//    post_index (which holds every realm's public projections): SQLite FTS5,
//    PostgreSQL tsvector with a GIN index; prefix matching on every word;
//  • accounts — each realm searches its own residents' public handles and
//    names (prefix, and trigram candidates ranked by edit distance for typos),
//    and the answers are merged across realms.

/** The words of a query: letters, digits and underscores; lower case; at most 8. */
export function queryTerms(q: string): string[] {
  return [
    ...q
      .normalize('NFC')
      .toLowerCase()
      .matchAll(/[\p{L}\p{N}]+/gu),
  ]
    .map((m) => m[0])
    .slice(0, 8);
}

/** The indexed document on PostgreSQL; the GIN index (schema.ts) is built on the same expression. */
function pgDocument(prefix: string) {
  const c = (n: string) => `coalesce(${prefix}${n}, '')`;
  return `to_tsvector('simple', ${c('caption')} || ' ' || ${c('hashtags')} || ' ' || ${c('sound_title')} || ' ' || ${c('owner_handle')})`;
}

async function matchingPosts(store: RealmStore, viewerId: string | null, terms: string[], limit: number) {
  if (terms.length === 0) return [];
  const db = store.db;
  if (store.dialect === 'sqlite') {
    const match = terms.map((t) => `"${t.replace(/"/g, '')}"*`).join(' AND ');
    return db
      .selectFrom('post_search')
      .innerJoin('post_index', 'post_index.video_id', 'post_search.video_id')
      .selectAll('post_index')
      .where(sql<boolean>`post_search MATCH ${match}`)
      .where((eb) => visibleTo(eb as any, viewerId))
      .where((eb) => notHiddenByChoice(eb as any, viewerId))
      .orderBy(sql`bm25(post_search)`)
      .orderBy('post_index.created_at', 'desc')
      .limit(limit)
      .execute();
  }
  const tsq = terms.map((t) => `${t}:*`).join(' & ');
  const doc = sql.raw(pgDocument('post_search.'));
  return db
    .selectFrom('post_search')
    .innerJoin('post_index', 'post_index.video_id', 'post_search.video_id')
    .selectAll('post_index')
    .where(sql<boolean>`${doc} @@ to_tsquery('simple', ${tsq})`)
    .where((eb) => visibleTo(eb as any, viewerId))
    .where((eb) => notHiddenByChoice(eb as any, viewerId))
    .orderBy(sql`ts_rank(${doc}, to_tsquery('simple', ${tsq}))`, 'desc')
    .orderBy('post_index.created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function searchVideos(reelm: Reelm, viewer: Viewer | null, q: string, limit = 20): Promise<PostItem[]> {
  const rows = await matchingPosts(listStore(reelm, viewer), viewer?.userId ?? null, queryTerms(q), limit);
  const links = playbackLinker(reelm, viewer?.userId ?? null);
  return rows.map((r) => toItem(r, links));
}

export async function searchHashtags(reelm: Reelm, viewer: Viewer | null, q: string, limit = 10) {
  const key = tagKey(q.trim()).replace(/[%_\\]/g, '');
  if (!key) return [];
  const db = listStore(reelm, viewer).db;
  const rows = await db
    .selectFrom('post_hashtags')
    .innerJoin('post_index', 'post_index.video_id', 'post_hashtags.video_id')
    .select(['post_hashtags.tag', (eb) => eb.fn.countAll<number>().as('n')])
    .where('post_hashtags.tag', 'like', `${key}%`)
    .where((eb) => visibleTo(eb as any, viewer?.userId ?? null))
    .groupBy('post_hashtags.tag')
    .orderBy('n', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ tag: r.tag, videoCount: Number(r.n) }));
}

export async function searchSounds(reelm: Reelm, viewer: Viewer | null, q: string, limit = 10) {
  const terms = queryTerms(q);
  const rows = await matchingPosts(listStore(reelm, viewer), viewer?.userId ?? null, terms, 200);
  const sounds = new Map<string, { id: string; title: string; videoCount: number }>();
  for (const r of rows) {
    if (!r.sound_id) continue;
    const title = r.sound_title.toLowerCase();
    if (!terms.every((t) => title.includes(t))) continue; // the words must be in the title, not only the caption
    const s = sounds.get(r.sound_id) ?? { id: r.sound_id, title: r.sound_title, videoCount: 0 };
    s.videoCount++;
    sounds.set(r.sound_id, s);
  }
  return [...sounds.values()].sort((a, b) => b.videoCount - a.videoCount).slice(0, limit);
}

// ---- accounts ----

export function trigrams(key: string): string[] {
  const s = `  ${key} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= s.length; i++) out.add(s.slice(i, i + 3));
  return [...out];
}

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Brings the realm's handle trigram index up to date (new accounts, changed handles). */
export async function syncHandleGrams(db: Kysely<RealmDatabase>, batch = 1000) {
  for (;;) {
    const stale = await db
      .selectFrom('users')
      .select(['id', 'handle_key'])
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('handle_grams')
              .select('handle_grams.user_id')
              .whereRef('handle_grams.user_id', '=', 'users.id')
              .where('handle_grams.gram', '=', sql<string>`'=' || users.handle_key`),
          ),
        ),
      )
      .limit(batch)
      .execute();
    if (stale.length === 0) return;
    await db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('handle_grams')
        .where(
          'user_id',
          'in',
          stale.map((u) => u.id),
        )
        .execute();
      // '=' + key marks the handle the grams were made from.
      const rows = stale.flatMap((u) => [...trigrams(u.handle_key), `=${u.handle_key}`].map((gram) => ({ gram, user_id: u.id })));
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('handle_grams')
          .values(rows.slice(i, i + 500))
          .execute();
    });
    if (stale.length < batch) return;
  }
}

export interface AccountHit {
  id: string;
  handle: string;
  displayName: string;
  realm: string;
  followerCount: number;
  match: 'exact' | 'prefix' | 'name' | 'typo';
  distance: number;
}

async function searchAccountsIn(store: RealmStore, q: string, limit: number): Promise<AccountHit[]> {
  const key = handleKeyOf(q);
  if (!key) return [];
  // `_` is a handle character and a LIKE wildcard: escaped, never stripped (stripping lost `alice_us`)
  const like = key.replace(/[%_\\]/g, '\\$&');
  const likeOf = (col: ReturnType<typeof sql<string>>, pattern: string) => sql<boolean>`${col} like ${pattern} escape '\\'`;
  const db = store.db;
  const hits = new Map<string, AccountHit>();
  const add = (
    u: { id: string; handle: string; handle_key: string; display_name: string; follower_count: number },
    match: AccountHit['match'],
    distance: number,
  ) => {
    const prev = hits.get(u.id);
    if (prev && prev.distance <= distance) return;
    hits.set(u.id, { id: u.id, handle: u.handle, displayName: u.display_name, realm: store.name, followerCount: u.follower_count, match, distance });
  };
  const cols = ['id', 'handle', 'handle_key', 'display_name', 'follower_count'] as const;
  for (const u of await db.selectFrom('users').select(cols).where('handle_key', '=', key).execute()) add(u, 'exact', 0);
  if (like) {
    for (const u of await db
      .selectFrom('users')
      .select(cols)
      .where(likeOf(sql<string>`handle_key`, `${like}%`))
      .orderBy('follower_count', 'desc')
      .limit(limit)
      .execute()) {
      add(u, u.handle_key === key ? 'exact' : 'prefix', u.handle_key === key ? 0 : 1);
    }
    for (const u of await db
      .selectFrom('users')
      .select(cols)
      .where(likeOf(sql<string>`lower(display_name)`, `%${like}%`))
      .orderBy('follower_count', 'desc')
      .limit(limit)
      .execute()) {
      add(u, 'name', 2);
    }
  }
  // Typos: candidates sharing trigrams with the query, kept when within edit distance 1 (2 for longer handles).
  await syncHandleGrams(db);
  const grams = trigrams(key);
  const candidates = await db
    .selectFrom('handle_grams')
    .select(['user_id', (eb) => eb.fn.countAll<number>().as('shared')])
    .where('gram', 'in', grams)
    .groupBy('user_id')
    .orderBy('shared', 'desc')
    .limit(200)
    .execute();
  const maxEdits = key.length >= 8 ? 2 : 1;
  if (candidates.length) {
    const users = await db
      .selectFrom('users')
      .select(cols)
      .where(
        'id',
        'in',
        candidates.map((c) => c.user_id),
      )
      .execute();
    for (const u of users) {
      const d = editDistance(u.handle_key, key);
      if (d > 0 && d <= maxEdits) add(u, 'typo', 2 + d);
    }
  }
  return [...hits.values()];
}

/** Accounts from every realm this process serves, merged: exact, then prefix, then name, then typo matches. */
export async function searchAccounts(reelm: Reelm, viewer: Viewer | null, q: string, limit = 20): Promise<AccountHit[]> {
  const all = (await Promise.all(reelm.realms.all().map((s) => searchAccountsIn(s, q, limit)))).flat();
  const hidden = viewer ? await blockedSet(reelm.realms.get(viewer.realm).db, viewer.userId) : new Set<string>();
  return all
    .filter((h) => !hidden.has(h.id))
    .sort((a, b) => a.distance - b.distance || b.followerCount - a.followerCount || a.handle.localeCompare(b.handle))
    .slice(0, limit);
}
