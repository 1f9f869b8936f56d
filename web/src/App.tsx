import { useCallback, useEffect, useState, lazy, Suspense } from 'react';
import { get, type Me } from './api.ts';
import { t, useLang } from './i18n.ts';
import { Link, usePath } from './router.tsx';
import { SessionContext } from './session.ts';
import { Feed } from './screens/Feed.tsx';
import { Auth } from './screens/Auth.tsx';

// Screens other than the feed are split out so the feed page ships the least JS.
const Upload = lazy(() => import('./screens/Upload.tsx'));
const Profile = lazy(() => import('./screens/Profile.tsx'));
const Discover = lazy(() => import('./screens/Discover.tsx'));
const Inbox = lazy(() => import('./screens/Inbox.tsx'));
const Settings = lazy(() => import('./screens/Settings.tsx'));
const Watch = lazy(() => import('./screens/Watch.tsx'));
const Collection = lazy(() => import('./screens/Collection.tsx'));
const Admin = lazy(() => import('./screens/Admin.tsx'));

function Screen({ path }: { path: string }) {
  const p = path.split('?')[0]!;
  let m: RegExpMatchArray | null;
  if (p === '/' || p === '/following') return <Feed tab={p === '/following' ? 'following' : 'for-you'} />;
  if (p === '/signup' || p === '/login') return <Auth mode={p === '/signup' ? 'signup' : 'login'} />;
  if (p === '/upload') return <Upload />;
  if (p === '/discover') return <Discover />;
  if (p === '/inbox') return <Inbox />;
  if (p === '/settings') return <Settings />;
  if (p === '/admin') return <Admin />;
  if ((m = p.match(/^\/watch\/([\w-]+)$/))) return <Watch id={m[1]!} />;
  if ((m = p.match(/^\/tag\/([^/]+)$/))) return <Collection kind="tag" id={decodeURIComponent(m[1]!)} />;
  if ((m = p.match(/^\/sound\/([\w-]+)$/))) return <Collection kind="sound" id={m[1]!} />;
  if ((m = p.match(/^\/@([\w.-]+)(?:\/(followers|following))?$/))) return <Profile handle={m[1]!} list={m[2] as 'followers' | 'following' | undefined} />;
  return (
    <main className="page center">
      <p>{t('notFound')}</p>
      <Link to="/">{t('goHome')}</Link>
    </main>
  );
}

function Nav({ me, unread }: { me: Me | null; unread: number }) {
  return (
    <nav className="nav" aria-label="Main">
      <Link to="/">{t('home')}</Link>
      <Link to="/discover">{t('discover')}</Link>
      <Link to={me ? '/upload' : '/signup'} className="nav-upload" label={t('upload')}>
        +
      </Link>
      <Link to={me ? '/inbox' : '/login'}>
        {t('inbox')}
        {unread > 0 && (
          <span className="badge" aria-label={`${unread} unread`} data-testid="unread-badge">
            {unread}
          </span>
        )}
      </Link>
      <Link to={me ? `/@${me.handle}` : '/login'}>{t('profile')}</Link>
    </nav>
  );
}

export function App() {
  useLang();
  const path = usePath();
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);
  const [unread, setUnread] = useState(0);
  const refresh = useCallback(async () => {
    setMe(await get<Me>('/me').catch(() => null));
    setReady(true);
  }, []);
  useEffect(() => void refresh(), [refresh]);
  useEffect(() => {
    if (!me) return setUnread(0);
    const poll = () => get<{ unread: number }>('/me/notifications/unread-count').then((r) => setUnread(r.unread), () => {});
    poll();
    const iv = setInterval(poll, 15000);
    addEventListener('reelm:unread', poll);
    return () => (clearInterval(iv), removeEventListener('reelm:unread', poll));
  }, [me, path]);
  return (
    <SessionContext.Provider value={{ me, ready, refresh }}>
      <div className="app">
        <Suspense fallback={<main className="page center">{t('loading')}</main>}>
          <Screen path={path} />
        </Suspense>
        <Nav me={me} unread={unread} />
      </div>
    </SessionContext.Provider>
  );
}
