import type { Viewer } from '../api/auth.ts';
import { badRequest, notFound } from '../api/errors.ts';
import type { Reelm } from '../context.ts';
import { handleKeyOf } from '../directory/directory.ts';
import { stripUnsafeChars } from '../lib/unsafe-chars.ts';
import { residentTeenStatus } from './teen.ts';

// A person's privacy settings, mutes and keyword filters: their own rows in
// their own realm. Muting is silent (nothing is sent to the muted person's realm).

export const MAX_KEYWORDS = 50;
export const KEYWORD_MAX_CHARS = 40;

export async function readSettings(reelm: Reelm, viewer: Viewer) {
  const store = reelm.realms.get(viewer.realm);
  const u = await store.db.selectFrom('users').select(['is_private', 'country']).where('id', '=', viewer.userId).executeTakeFirstOrThrow();
  const s = await store.db.selectFrom('privacy_settings').selectAll().where('user_id', '=', viewer.userId).executeTakeFirst();
  const words = await store.db.selectFrom('keyword_filters').select('word').where('user_id', '=', viewer.userId).orderBy('word').execute();
  const teen = (await residentTeenStatus(store, store.db, viewer.userId))!;
  const defaultMinutes = store.info.teenRules(u.country).screenTimeMinutes;
  return {
    isPrivate: Number(u.is_private) === 1,
    hideLikes: Number(s?.hide_likes ?? 0) === 1,
    keywordFilters: words.map((w) => w.word),
    screenTime: { dailyReminderMinutes: s?.screen_time_minutes ?? defaultMinutes, defaultMinutes },
    teenProtection: { protected: teen.protected, privateByDefault: teen.privateByDefault },
  };
}

function cleanKeywords(words: string[]): string[] {
  const out = new Set<string>();
  for (const w of words) {
    const k = stripUnsafeChars(w).normalize('NFC').trim().toLowerCase();
    if (!k) continue;
    if ([...k].length > KEYWORD_MAX_CHARS) throw badRequest('invalid_keyword', `Filtered words are at most ${KEYWORD_MAX_CHARS} characters.`);
    out.add(k);
  }
  if (out.size > MAX_KEYWORDS) throw badRequest('too_many_keywords', `You can filter at most ${MAX_KEYWORDS} words.`);
  return [...out];
}

export async function writeSettings(
  reelm: Reelm,
  viewer: Viewer,
  patch: { hideLikes?: boolean; keywordFilters?: string[]; screenTimeMinutes?: number | null },
) {
  const store = reelm.realms.get(viewer.realm);
  const words = patch.keywordFilters === undefined ? undefined : cleanKeywords(patch.keywordFilters);
  const now = Date.now();
  await store.db.transaction().execute(async (trx) => {
    if (patch.hideLikes !== undefined || patch.screenTimeMinutes !== undefined) {
      const cur = await trx.selectFrom('privacy_settings').selectAll().where('user_id', '=', viewer.userId).executeTakeFirst();
      const row = {
        hide_likes: patch.hideLikes === undefined ? Number(cur?.hide_likes ?? 0) : patch.hideLikes ? 1 : 0,
        screen_time_minutes: patch.screenTimeMinutes === undefined ? (cur?.screen_time_minutes ?? null) : patch.screenTimeMinutes,
        updated_at: now,
      };
      await trx
        .insertInto('privacy_settings')
        .values({ user_id: viewer.userId, ...row })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
        .execute();
    }
    if (words) {
      await trx.deleteFrom('keyword_filters').where('user_id', '=', viewer.userId).execute();
      if (words.length)
        await trx
          .insertInto('keyword_filters')
          .values(words.map((word) => ({ user_id: viewer.userId, word, created_at: now })))
          .execute();
    }
  });
}

async function locate(reelm: Reelm, handle: string) {
  const e = await reelm.directory.byHandle(handle);
  if (!e) throw notFound('That account');
  const u = reelm.realms.has(e.realm)
    ? await reelm.realms.get(e.realm).db.selectFrom('users').select(['id', 'handle']).where('id', '=', e.userId).executeTakeFirst()
    : { id: e.userId, handle: e.handleKey };
  if (!u) throw notFound('That account');
  return { userId: u.id, handle: u.handle, realm: e.realm };
}

export async function mute(reelm: Reelm, viewer: Viewer, handle: string) {
  const t = await locate(reelm, handle);
  if (t.userId === viewer.userId) throw badRequest('cannot_mute_self', 'You cannot mute yourself.');
  await reelm.realms
    .get(viewer.realm)
    .db.insertInto('mutes')
    .values({ muter_id: viewer.userId, muted_id: t.userId, muted_realm: t.realm, muted_handle: t.handle, created_at: Date.now() })
    .onConflict((oc) => oc.columns(['muter_id', 'muted_id']).doNothing())
    .execute();
  return { muted: true, handle: t.handle };
}

export async function unmute(reelm: Reelm, viewer: Viewer, handle: string) {
  const db = reelm.realms.get(viewer.realm).db;
  const key = handleKeyOf(handle);
  const current = await reelm.directory.byHandle(key);
  const hit = await db
    .selectFrom('mutes')
    .select(['muted_id', 'muted_handle'])
    .where('muter_id', '=', viewer.userId)
    .where((eb) => eb.or([eb('muted_id', '=', current?.userId ?? ''), eb(eb.fn('lower', ['muted_handle']), '=', key)]))
    .executeTakeFirst();
  if (!hit) throw notFound('That mute');
  await db.deleteFrom('mutes').where('muter_id', '=', viewer.userId).where('muted_id', '=', hit.muted_id).execute();
  return { muted: false, handle: hit.muted_handle };
}

export async function listMutes(reelm: Reelm, viewer: Viewer) {
  const rows = await reelm.realms
    .get(viewer.realm)
    .db.selectFrom('mutes')
    .select(['muted_handle', 'created_at'])
    .where('muter_id', '=', viewer.userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ handle: r.muted_handle, mutedAt: new Date(Number(r.created_at)).toISOString() }));
}
