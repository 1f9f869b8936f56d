import { sql, type Compilable, type Kysely } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import { compiledOnce, type Slot } from '../realm/compiled.ts';
import { teenStatus } from '../privacy/teen.ts';
import { mergePositives } from './events.ts';
import type { PersonContext } from './model/ranker.ts';

// Everything a signed-in person's For You page reads about them, in ONE statement of their home
// realm (a union of indexed reads, compiled once): the realm's model version, the person (country,
// interests, whether a protected teen), their recent positives, their "not interested" feedback and
// what this session's pages up to this one showed. Read fresh for every page: these are the shared
// store's facts, so every process answers the same page.

export interface PageState {
  version: number;
  person: PersonContext;
  teen: boolean;
  positives: string[];
  hide: { videos: Set<string>; creators: Set<string>; sounds: Set<string> };
  /** video → page, for this session's pages up to the asked one */
  shown: Map<string, number>;
}

const FEEDBACK_LIMIT = 5000;

type Row = { k: string; a: string | null; b: string | null; n: number | string | null };
const text = (v: string) => sql<string | null>`${sql.raw(v)}`;

const compiled = compiledOnce<RealmDatabase>();

const query = (db: Kysely<RealmDatabase>, slot: Slot) => {
  const [uid, session, page, window] = [slot(0), slot(1), slot(2), slot(3)];
  const k = (kind: string) => sql.lit(kind).as('k');
  return db
    .selectFrom('feed_models')
    .select([k('v'), text('null').as('a'), text('null').as('b'), sql<number | null>`max(${sql.ref('version')})`.as('n')])
    .unionAll(
      db
        .selectFrom('users')
        .leftJoin('feed_interests', 'feed_interests.user_id', 'users.id')
        .select([k('u'), 'users.country as a', 'feed_interests.tags as b', sql<null>`null`.as('n')])
        .where('users.id', '=', uid),
    )
    .unionAll(
      db
        .selectFrom('users')
        .select([k('t'), 'birth_date as a', 'country as b', sql<null>`null`.as('n')])
        .where('id', '=', uid),
    )
    .unionAll(
      db
        .selectFrom(
          db
            .selectFrom('watch_events')
            .select(['video_id', 'played_at'])
            .where('user_id', '=', uid)
            .where('completed', '=', 1)
            .orderBy('played_at', 'desc')
            .limit(sql<number>`${window}`)
            .as('w'),
        )
        .select([k('w'), 'w.video_id as a', text('null').as('b'), 'w.played_at as n']),
    )
    .unionAll(
      db
        .selectFrom(
          db
            .selectFrom('likes')
            .select(['video_id', 'created_at'])
            .where('user_id', '=', uid)
            .orderBy('created_at', 'desc')
            .limit(sql<number>`${window}`)
            .as('l'),
        )
        .select([k('l'), 'l.video_id as a', text('null').as('b'), 'l.created_at as n']),
    )
    .unionAll(
      db
        .selectFrom(
          db.selectFrom('feed_feedback').select(['kind', 'target_id']).where('user_id', '=', uid).orderBy('created_at', 'desc').limit(FEEDBACK_LIMIT).as('f'),
        )
        .select([k('f'), 'f.kind as a', 'f.target_id as b', sql<null>`null`.as('n')]),
    )
    .unionAll(
      db
        .selectFrom('feed_seen')
        .select([k('s'), 'video_id as a', text('null').as('b'), 'page as n'])
        .where('user_id', '=', uid)
        .where('session', '=', session)
        .where('page', '<=', sql<number>`${page}`),
    ) as unknown as Compilable<Row>;
};

export async function pageState(store: RealmStore, uid: string, session: string, page: number, window: number, now = new Date()): Promise<PageState> {
  const db = store.db;
  const rows = await compiled(db, 'page', [uid, session, page, window], (slot) => query(db, slot));
  const s: PageState = {
    version: 0,
    person: { personId: uid, country: null, interests: [] },
    teen: false,
    positives: [],
    hide: { videos: new Set(), creators: new Set(), sounds: new Set() },
    shown: new Map(),
  };
  const watched: { video_id: string; at: number }[] = [];
  const liked: { video_id: string; at: number }[] = [];
  for (const r of rows) {
    if (r.k === 'v') s.version = r.n == null ? 0 : Number(r.n);
    else if (r.k === 'u') s.person = { personId: uid, country: r.a ?? null, interests: r.b ? r.b.split(' ') : [] };
    else if (r.k === 'w') watched.push({ video_id: r.a!, at: Number(r.n) });
    else if (r.k === 'l') liked.push({ video_id: r.a!, at: Number(r.n) });
    else if (r.k === 'f' && (r.a === 'video' || r.a === 'creator' || r.a === 'sound')) s.hide[`${r.a}s`].add(r.b!);
    else if (r.k === 's') s.shown.set(r.a!, Number(r.n));
  }
  const t = rows.find((r) => r.k === 't');
  if (t?.a) s.teen = teenStatus(store.info.teenRules(t.b!), t.a, now).protected; // as isProtectedTeen
  s.positives = mergePositives(watched, liked, window);
  return s;
}
