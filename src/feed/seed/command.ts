import { parseArgs } from 'node:util';
import { loadConfig, openReelm } from '../../composition.ts';
import type { Reelm } from '../../context.ts';
import { newId } from '../../lib/ids.ts';
import { videoPrefix } from '../../media/keys.ts';
import type { RealmStore } from '../../realm/store.ts';
import { dayOf } from '../features.ts';
import { OnlineRanker } from '../model/ranker.ts';
import { progress } from './progress.ts';
import { eventsOf, generateWorld, TOPICS, type World } from './world.ts';
import { ownerBlobs } from '../../blobs/resident-blobs.ts';

// `npx reelm seed [--accounts 10000] [--videos 100000] [--events 1000000] [--seed 1]`
// Fills the configured realms with a synthetic world (src/feed/seed/world.ts):
// accounts in their home realms (with directory entries; they cannot log in),
// videos whose media is one shared placeholder per realm (keys from
// src/media/keys.ts, so playback URLs are real), posts with their projections
// in every realm, and watch events with hidden tastes in each viewer's realm —
// plus what the For You part derives from them (stats, trending, co-engagement,
// one trained model snapshot per realm). Bulk inserts inside transactions.

const CHUNK = 400;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      accounts: { type: 'string', default: '10000' },
      videos: { type: 'string', default: '100000' },
      events: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
    },
  });
  const n = { accounts: Number(values.accounts), videos: Number(values.videos), events: Number(values.events), seed: Number(values.seed) };
  if (!Object.values(n).every((x) => Number.isInteger(x) && x > 0)) {
    console.error('reelm seed: --accounts, --videos, --events and --seed take positive integers');
    return 2;
  }
  const reelm = await openReelm(loadConfig());
  try {
    await seed(reelm, n);
  } finally {
    await reelm.close();
  }
  return 0;
}

async function bulk(store: RealmStore, table: string, rows: Record<string, unknown>[], tick?: (n: number) => void) {
  await store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await trx
        .insertInto(table as any)
        .values(rows.slice(i, i + CHUNK) as any)
        .execute();
      tick?.(Math.min(i + CHUNK, rows.length));
    }
  });
}

export async function seed(reelm: Reelm, n: { accounts: number; videos: number; events: number; seed: number }) {
  const now = Date.now();
  const world: World = generateWorld({ persons: n.accounts, videos: n.videos, seed: n.seed, now });
  const open = (realm: string) => reelm.realms.has(realm);
  const persons = world.persons.filter((p) => open(p.realm));
  const tag = `${n.seed.toString(36)}${(now % 1e6).toString(36)}`;
  const ids = world.persons.map(() => newId());
  const handle = (i: number) => `seed${tag}_${i}`;

  let tick = progress('accounts', persons.length);
  const dirRows = persons.map((p) => ({
    user_id: ids[p.index]!,
    realm: p.realm,
    handle_key: handle(p.index).toLowerCase(),
    email_key: reelm.directory.emailKey(`${handle(p.index)}@seed.invalid`),
    state: 'active' as const,
    updated_at: now,
  }));
  for (let i = 0; i < dirRows.length; i += CHUNK)
    await reelm.directory.db
      .insertInto('directory_accounts')
      .values(dirRows.slice(i, i + CHUNK))
      .execute();
  for (const store of reelm.realms.all()) {
    const rows = persons
      .filter((p) => p.realm === store.name)
      .map((p) => ({
        id: ids[p.index]!,
        handle: handle(p.index),
        handle_key: handle(p.index).toLowerCase(),
        email: `${handle(p.index)}@seed.invalid`,
        password_hash: '!seed', // no password verifies against this
        birth_date: '1990-01-01',
        country: p.country,
        home_realm: p.realm,
        display_name: `Seed ${p.index}`,
        created_at: now,
        password_changed_at: now,
      }));
    await bulk(store, 'users', rows);
  }
  tick(persons.length);

  // Videos: media rows and posts in the creator's realm; the first video of each realm carries the placeholder files.
  const videoIds = world.videos.map(() => newId());
  const realmOf = (creator: number) => world.persons[creator]!.realm;
  const placeholder = new Map<string, { play: string; poster: string }>();
  const videos = world.videos.filter((v) => open(realmOf(v.creator)));
  for (const v of videos) {
    const realm = realmOf(v.creator);
    if (placeholder.has(realm)) continue;
    const prefix = videoPrefix(ids[v.creator]!, videoIds[v.index]!);
    const store = reelm.realms.get(realm);
    const blobs = await ownerBlobs(store, ids[v.creator]!);
    await blobs.put(`${prefix}540.mp4`, Buffer.from('reelm seed placeholder'), { contentType: 'video/mp4' });
    await blobs.put(`${prefix}poster.jpg`, Buffer.from('reelm seed placeholder'), { contentType: 'image/jpeg' });
    placeholder.set(realm, { play: `${prefix}540.mp4`, poster: `${prefix}poster.jpg` });
  }
  tick = progress('videos', videos.length * (1 + reelm.realms.all().length));
  let done = 0;
  const soundIds = Array.from({ length: world.sounds }, () => null as string | null);
  for (const store of reelm.realms.all()) {
    const mine = videos.filter((v) => realmOf(v.creator) === store.name);
    const media = mine.map((v) => {
      const ph = placeholder.get(store.name)!;
      return {
        id: videoIds[v.index]!,
        owner_id: ids[v.creator]!,
        upload_id: newId(),
        status: 'ready',
        progress: 100,
        duration_ms: 9000,
        width: 540,
        height: 960,
        renditions: JSON.stringify([{ name: '540p', width: 540, height: 960, bitrate: 1e6, sizeBytes: 22, key: ph.play, hlsKey: null }]),
        hls_master_key: null,
        poster_key: ph.poster,
        thumbnail_keys: '[]',
        original_key: null,
        has_audio: 1,
        allow_duet: 1,
        sound_id: null,
        duet_of: null,
        error_code: null,
        error_message: null,
        created_at: v.createdAt,
        updated_at: v.createdAt,
        ready_at: v.createdAt,
      };
    });
    await bulk(store, 'videos', media);
    const posts = mine.map((v) => ({
      video_id: videoIds[v.index]!,
      owner_id: ids[v.creator]!,
      caption: v.hashtags.map((t) => `#${t}`).join(' '),
      entities: '[]',
      audience: 'public',
      comment_policy: 'everyone',
      duet_policy: 'everyone',
      allow_download: 1,
      sound_id: null,
      like_count: 0,
      comment_count: 0,
      share_count: 0,
      favorite_count: 0,
      view_count: 0,
      watch_ms: 0,
      completion_count: 0,
      stats_changed_at: 0,
      stats_published_at: v.createdAt,
      created_at: v.createdAt,
      updated_at: v.createdAt,
    }));
    await bulk(store, 'posts', posts, (k) => tick(done + k));
    done += mine.length;
  }
  void soundIds;
  // The public projection in every realm (what social.post would deliver), with a sound id per world sound.
  const soundKey = (s: number) => `seedsound${tag}${s}`;
  for (const store of reelm.realms.all()) {
    const index = videos.map((v) => {
      const ph = placeholder.get(realmOf(v.creator))!;
      return {
        video_id: videoIds[v.index]!,
        video_realm: realmOf(v.creator),
        owner_id: ids[v.creator]!,
        owner_handle: handle(v.creator),
        owner_display_name: `Seed ${v.creator}`,
        caption: v.hashtags.map((t) => `#${t}`).join(' '),
        entities: '[]',
        hashtags: v.hashtags.join(' '),
        audience: 'public',
        comment_policy: 'everyone',
        duet_policy: 'everyone',
        allow_download: 1,
        teen_protected: 0,
        sound_id: soundKey(v.sound),
        sound_title: `Seed sound ${v.sound}`,
        duration_ms: 9000,
        play_key: ph.play,
        poster_key: ph.poster,
        like_count: 0,
        comment_count: 0,
        share_count: 0,
        view_count: 0,
        created_at: v.createdAt,
        updated_at: v.createdAt,
      };
    });
    await bulk(store, 'post_index', index, (k) => tick(done + k));
    await bulk(
      store,
      'post_hashtags',
      videos.flatMap((v) => v.hashtags.map((t) => ({ tag: t, video_id: videoIds[v.index]!, created_at: v.createdAt }))),
    );
    await bulk(
      store,
      'post_search',
      index.map((r) => ({ video_id: r.video_id, caption: r.caption, hashtags: r.hashtags, sound_title: r.sound_title, owner_handle: r.owner_handle })),
    );
    done += videos.length;
  }
  tick(done);

  // Watch events in each viewer's realm, and what the For You part derives from them.
  tick = progress('watch events', n.events);
  const perRealm = new Map<
    string,
    { rows: Record<string, unknown>[]; ranker: OnlineRanker; stats: Map<number, number[]>; trend: Map<string, number>; co: Map<string, number> }
  >();
  for (const s of reelm.realms.all())
    perRealm.set(s.name, { rows: [], ranker: new OnlineRanker({ seed: 10 }), stats: new Map(), trend: new Map(), co: new Map() });
  const lastPositive = new Map<number, number>();
  const flush = async () => {
    for (const s of reelm.realms.all()) {
      const r = perRealm.get(s.name)!;
      if (r.rows.length) await bulk(s, 'watch_events', r.rows);
      r.rows = [];
    }
  };
  let i = 0;
  for (const e of eventsOf(world, n.events, n.seed + 1, now)) {
    i++;
    const p = world.persons[e.person]!;
    const v = world.videos[e.video]!;
    const r = perRealm.get(p.realm);
    if (!r || !open(realmOf(v.creator))) continue;
    const vid = videoIds[v.index]!;
    r.rows.push({
      user_id: ids[p.index]!,
      client_event_id: `seed-${i}`,
      video_id: vid,
      video_realm: realmOf(v.creator),
      watched_ms: Math.round(9000 * e.watchedFraction),
      duration_ms: 9000,
      completed: e.completed ? 1 : 0,
      replays: 0,
      skipped: e.watchedFraction < 0.2 && !e.completed ? 1 : 0,
      played_at: e.at,
      received_at: e.at,
    });
    const st = r.stats.get(v.index) ?? [0, 0, 0];
    st[0]!++;
    if (e.completed) st[1]!++;
    if (e.liked) st[2]!++;
    r.stats.set(v.index, st);
    if (e.completed) {
      for (const c of ['', p.country]) r.trend.set(`${c}|${dayOf(e.at)}|${v.index}`, (r.trend.get(`${c}|${dayOf(e.at)}|${v.index}`) ?? 0) + 2);
      const prev = lastPositive.get(p.index);
      if (prev !== undefined && prev !== v.index) {
        r.co.set(`${prev}|${v.index}`, (r.co.get(`${prev}|${v.index}`) ?? 0) + 1);
        r.co.set(`${v.index}|${prev}`, (r.co.get(`${v.index}|${prev}`) ?? 0) + 1);
      }
      lastPositive.set(p.index, v.index);
    }
    r.ranker.observe(
      { personId: ids[p.index]!, country: p.country, interests: [] },
      {
        videoId: vid,
        creatorId: ids[v.creator]!,
        soundId: soundKey(v.sound),
        hashtags: v.hashtags,
        country: null,
        ageHours: Math.max(0, (e.at - v.createdAt) / 3_600_000),
        stats: { views: st[0]!, completions: st[1]!, likes: st[2]!, shares: 0 },
      },
      { completed: e.completed, liked: e.liked, shared: false, skippedEarly: e.watchedFraction < 0.2 && !e.completed, watchedFraction: e.watchedFraction },
      e.at,
    );
    if (i % 20_000 === 0) {
      await flush();
      tick(i);
    }
  }
  await flush();
  tick(n.events);

  tick = progress('derived', reelm.realms.all().length);
  let k = 0;
  for (const s of reelm.realms.all()) {
    const r = perRealm.get(s.name)!;
    await bulk(
      s,
      'feed_video_stats',
      [...r.stats].map(([vi, st]) => ({ video_id: videoIds[vi]!, plays: st[0]!, completions: st[1]!, likes: st[2]!, shares: 0, updated_at: now })),
    );
    await bulk(
      s,
      'feed_trend',
      [...r.trend].map(([key, score]) => {
        const [country, day, vi] = key.split('|');
        return { country: country!, day: Number(day), video_id: videoIds[Number(vi)]!, score };
      }),
    );
    // Co-engagement kept bounded: the 30 strongest neighbours of each video.
    const byA = new Map<number, [number, number][]>();
    for (const [key, w] of r.co) {
      const [a, b] = key.split('|').map(Number) as [number, number];
      const l = byA.get(a) ?? [];
      l.push([b, w]);
      byA.set(a, l);
    }
    const coRows: Record<string, unknown>[] = [];
    for (const [a, l] of byA)
      for (const [b, w] of l.sort((x, y) => y[1] - x[1]).slice(0, 30))
        coRows.push({ video_a: videoIds[a]!, video_b: videoIds[b]!, weight: w, updated_at: now });
    await bulk(s, 'feed_co', coRows);
    const latest = await s.db
      .selectFrom('feed_models')
      .select((eb) => eb.fn.max('version').as('v'))
      .executeTakeFirst();
    await s.db
      .insertInto('feed_models')
      .values({ version: Number(latest?.v ?? 0) + 1, snapshot: Buffer.from(r.ranker.serialize()).toString('base64'), created_at: Date.now() })
      .execute();
    tick(++k);
  }
  console.log(
    JSON.stringify({
      accounts: persons.length,
      videos: videos.length,
      events: n.events,
      topics: TOPICS.length,
      seconds: Math.round((Date.now() - now) / 1000),
    }),
  );
}
