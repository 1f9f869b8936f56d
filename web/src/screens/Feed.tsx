import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get, type Page, type Post } from '../api.ts';
import { t } from '../i18n.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.ts';
import { VideoList } from './VideoList.tsx';

// For You (GET /feed/for-you: ranked in the viewer's home realm, each item with
// its "why") and Following. Pages follow nextCursor as the person nears the end.
// A fresh visit starts a fresh For You session (no cursor), so what was already
// shown is left out and what they just liked or finished moves the ranking.

const source = (tab: 'for-you' | 'following') => (tab === 'for-you' ? '/feed/for-you' : '/feed/following');

export function Feed({ tab }: { tab: 'for-you' | 'following' }) {
  const { me, ready } = useSession();
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const next = useRef<{ cursor: string | null; loading: boolean }>({ cursor: null, loading: false });
  const shown = useRef<Post[]>([]);
  const load = useCallback(
    async (cursor: string | null) => {
      const gen = next.current;
      gen.loading = true;
      try {
        const page = await get<Page<Post>>(`${source(tab)}?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        if (gen !== next.current) return; // the tab changed meanwhile
        const have = new Set((cursor ? shown.current : []).map((p) => p.id));
        const fresh = page.items.filter((p) => !have.has(p.id));
        next.current.cursor = fresh.length ? page.nextCursor : null; // a page with nothing new ends the list
        shown.current = [...(cursor ? shown.current : []), ...fresh];
        setPosts(shown.current);
      } catch (e) {
        // signed out (401): the session answer shows the sign-up screen instead
        if (!cursor && gen === next.current && !(e instanceof ApiError && e.status === 401)) setError((e as Error).message);
      } finally {
        gen.loading = false;
      }
    },
    [tab],
  );
  const start = useCallback(() => {
    setPosts(null);
    setError(null);
    next.current = { cursor: null, loading: false };
    void load(null);
  }, [load]);
  // The first page is asked for at once, alongside the app's GET /me (the cookie
  // says who is asking), not after it: one round trip less before the first frame.
  useEffect(start, [start]);
  const who = ready ? (me?.id ?? null) : undefined;
  const loadedFor = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (who === undefined) return;
    const was = loadedFor.current;
    loadedFor.current = who;
    if (was !== undefined && was !== who) start(); // logged in or out without leaving the feed
  }, [who, start]);
  const nearEnd = () => {
    if (next.current.cursor && !next.current.loading) void load(next.current.cursor);
  };
  return (
    <main className="feed">
      <nav className="tabs" aria-label={t('feeds')}>
        <Link to="/" className={tab === 'for-you' ? 'active' : ''} current={tab === 'for-you'}>
          {t('forYou')}
        </Link>
        <Link to="/following" className={tab === 'following' ? 'active' : ''} current={tab === 'following'}>
          {t('following')}
        </Link>
      </nav>
      {error && (
        <p className="error center-abs" role="alert">
          {error}
        </p>
      )}
      {ready && !me && (
        <div className="center-abs empty">
          <p>Reelm</p>
          <Link to="/signup" className="button">
            {t('signUp')}
          </Link>
          <Link to="/login">{t('logIn')}</Link>
        </div>
      )}
      {ready && me && posts && posts.length === 0 && (
        <p className="center-abs empty">
          {tab === 'following' ? t('emptyFollowing') : t('emptyForYou')} <Link to="/discover">{t('discover')}</Link>
        </p>
      )}
      {!posts && !error && (!ready || me) && <p className="center-abs">{t('loading')}</p>}
      {(!ready || me) && posts && posts.length > 0 && (
        <VideoList posts={posts} followsAll={tab === 'following'} onNearEnd={nearEnd} onHide={(id) => setPosts((shown.current = shown.current.filter((p) => p.id !== id)))} />
      )}
    </main>
  );
}
