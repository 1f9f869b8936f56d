import { useEffect, useState } from 'react';
import { get, ApiError, type Page, type Post } from '../api.ts';
import { t } from '../i18n.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.ts';
import { VideoList } from './VideoList.tsx';

// For You comes from /feed/for-you (built by another part); until it exists
// (404) the tab shows the Following feed, so the home screen is never empty for
// someone who follows people.
async function load(tab: 'for-you' | 'following'): Promise<{ posts: Post[]; followed: boolean }> {
  if (tab === 'for-you') {
    try {
      return { posts: (await get<Page<Post>>('/feed/for-you?limit=20')).items, followed: false };
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 401)) throw e;
    }
  }
  return { posts: (await get<Page<Post>>('/feed/following?limit=20')).items, followed: true };
}

export function Feed({ tab }: { tab: 'for-you' | 'following' }) {
  const { me, ready } = useSession();
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [followed, setFollowed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!ready) return;
    setPosts(null);
    setError(null);
    if (!me) return setPosts([]);
    load(tab).then((r) => (setPosts(r.posts), setFollowed(r.followed)), (e: Error) => setError(e.message));
  }, [tab, me, ready]);
  return (
    <main className="feed">
      <div className="tabs" role="tablist">
        <Link to="/" className={tab === 'for-you' ? 'active' : ''}>
          {t('forYou')}
        </Link>
        <Link to="/following" className={tab === 'following' ? 'active' : ''}>
          {t('following')}
        </Link>
      </div>
      {error && <p className="error center-abs" role="alert">{error}</p>}
      {ready && !me && (
        <div className="center-abs empty">
          <p>Reelm</p>
          <Link to="/signup" className="button">
            {t('signUp')}
          </Link>
          <Link to="/login">{t('logIn')}</Link>
        </div>
      )}
      {me && posts && posts.length === 0 && (
        <p className="center-abs empty">
          {tab === 'following' ? t('emptyFollowing') : t('emptyForYou')} <Link to="/discover">{t('discover')}</Link>
        </p>
      )}
      {!posts && !error && <p className="center-abs">{t('loading')}</p>}
      {posts && posts.length > 0 && <VideoList posts={posts} followsAll={followed} onHide={(id) => setPosts((ps) => ps!.filter((p) => p.id !== id))} />}
    </main>
  );
}
