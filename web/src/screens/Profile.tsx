import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { api, get, type Me, type Page, type Post } from '../api.ts';
import { followersLabel, labelText, t } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.ts';
import { compact } from '../text.tsx';
import { Grid } from './Grid.tsx';
import { Icon } from '../icons.tsx';
import { st } from './safety-strings.ts';

const Report = lazy(() => import('./Report.tsx'));

type User = Omit<Me, 'email' | 'country' | 'homeRealm'>;
interface Person {
  handle: string;
  displayName: string;
  avatarUrl: string | null;
}

function Avatar({ url, name, size = 88 }: { url: string | null; name: string; size?: number }) {
  return url ? (
    <img className="avatar" src={url} alt="" width={size} height={size} />
  ) : (
    <div className="avatar" style={{ width: size, height: size }} aria-hidden>
      {name.slice(0, 1).toUpperCase()}
    </div>
  );
}

function People({ handle, list }: { handle: string; list: 'followers' | 'following' }) {
  const [items, setItems] = useState<Person[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () =>
      void get<Page<Person>>(`/users/${handle}/${list}?limit=50`).then(
        (p) => setItems(p.items),
        (e: Error) => setError(e.message),
      ),
    [handle, list],
  );
  return (
    <main className="page narrow">
      <h1>
        <Link to={`/@${handle}`}>@{handle}</Link> · {t(list === 'followers' ? 'followersN' : 'followingN')}
      </h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="people">
        {items?.map((p) => (
          <li key={p.handle}>
            <Link to={`/@${p.handle}`}>
              <Avatar url={p.avatarUrl} name={p.displayName} size={40} /> <b>{p.displayName}</b> <span className="muted">@{p.handle}</span>
            </Link>
          </li>
        ))}
        {items?.length === 0 && <li className="muted">—</li>}
      </ul>
    </main>
  );
}

function EditProfile({ me, done }: { me: Me; done(): void }) {
  const { refresh } = useSession();
  const [f, setF] = useState({ displayName: me.displayName, bio: me.bio, links: me.links.map((l) => l.url).join('\n') });
  const [avatar, setAvatar] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      if (avatar) await api('PUT', '/me/avatar', avatar);
      await api('PATCH', '/me/profile', {
        displayName: f.displayName,
        bio: f.bio,
        links: f.links
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
      });
      await refresh();
      done();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="form" onSubmit={save}>
      <label>
        {t('avatar')}
        <input type="file" accept="image/*" onChange={(e) => setAvatar(e.target.files?.[0] ?? null)} />
      </label>
      {avatar && <img className="avatar crop-preview" src={URL.createObjectURL(avatar)} alt={t('avatar')} width={96} height={96} />}
      <label>
        {t('displayName')}
        <input value={f.displayName} onChange={(e) => setF({ ...f, displayName: e.target.value })} maxLength={50} />
      </label>
      <label>
        {t('bio')}
        <textarea value={f.bio} onChange={(e) => setF({ ...f, bio: e.target.value })} rows={3} />
      </label>
      <label>
        {t('links')}
        <textarea value={f.links} onChange={(e) => setF({ ...f, links: e.target.value })} rows={2} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="button">{t('save')}</button>
    </form>
  );
}

type FollowState = 'none' | 'following' | 'requested';

export default function Profile({ handle, list }: { handle: string; list?: 'followers' | 'following' }) {
  const { me } = useSession();
  const [user, setUser] = useState<User | null>(null);
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [follow, setFollow] = useState<FollowState | null>(null);
  const [muted, setMuted] = useState(false);
  const [reporting, setReporting] = useState(false);
  const [requests, setRequests] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const mine = me?.handle === handle;
  useEffect(() => {
    if (list) return;
    setUser(null);
    setError(null);
    get<User>(`/users/${handle}`).then(setUser, (e: Error) => setError(e.message));
    get<Page<Post>>(`/users/${handle}/videos?limit=30`).then(
      (p) => setPosts(p.items),
      () => setPosts([]),
    );
  }, [handle, list, me]);
  useEffect(() => {
    if (!me) return;
    if (mine) {
      if (me.isPrivate)
        get<{ items: unknown[] }>('/me/follow-requests').then(
          (r) => setRequests(r.items.length),
          () => {},
        );
      return;
    }
    void (async () => {
      const [state, mutes] = await Promise.all([
        get<{ following: boolean; requested?: boolean }>(`/users/${handle}/follow`),
        get<{ items: { handle: string }[] }>('/me/mutes'),
      ]);
      setFollow(state.following ? 'following' : state.requested ? 'requested' : 'none');
      setMuted(mutes.items.some((x) => x.handle.toLowerCase() === handle.toLowerCase()));
    })().catch(() => setFollow('none'));
  }, [me, handle, mine]);
  if (list) return <People handle={handle} list={list} />;
  const toggleFollow = async () => {
    if (!me) return navigate('/login');
    setError(null);
    try {
      if (follow === 'none') {
        const r = await api<{ following: boolean; requested?: boolean }>('POST', `/users/${handle}/follow`);
        setFollow(r.following ? 'following' : r.requested ? 'requested' : 'none');
        if (r.following) setUser((u) => u && { ...u, followerCount: u.followerCount + 1 });
      } else {
        await api('DELETE', `/users/${handle}/follow`); // also withdraws a pending request
        if (follow === 'following') setUser((u) => u && { ...u, followerCount: u.followerCount - 1 });
        setFollow('none');
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const toggleMute = async () => {
    if (!me) return navigate('/login');
    try {
      setMuted((await api<{ muted: boolean }>(muted ? 'DELETE' : 'PUT', `/mutes/${handle}`)).muted);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const block = async () => {
    try {
      await api('PUT', `/blocks/${handle}`);
      navigate('/settings');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (error && !user)
    return (
      <main className="page center">
        <p className="error" role="alert">
          {error}
        </p>
      </main>
    );
  if (!user) return <main className="page center">{t('loading')}</main>;
  // a private account shows its lists and videos to approved followers only (the API answers them as unknown to anyone else)
  const closed = user.isPrivate && !mine && follow !== 'following';
  const count = (to: string, n: number, id: string, label: string) => {
    const body = (
      <>
        <b data-testid={id}>{compact(n)}</b> {label}
      </>
    );
    return <li>{closed ? <span className="muted">{body}</span> : <Link to={to}>{body}</Link>}</li>;
  };
  return (
    <main className="page">
      <header className="profile-head">
        <Avatar url={user.avatarUrl} name={user.displayName} />
        <h1>{user.displayName}</h1>
        <p className="muted">@{user.handle}</p>
        {user.labels?.includes('state_affiliated') && (
          <p className="label-pill" data-testid="account-label">
            {labelText('state_affiliated')}
          </p>
        )}
        <ul className="counts">
          {count(`/@${handle}/following`, user.followingCount, 'following-count', t('followingN'))}
          {count(`/@${handle}/followers`, user.followerCount, 'follower-count', followersLabel(user.followerCount))}
        </ul>
        {user.bio && <p className="bio">{user.bio}</p>}
        {user.links.length > 0 && (
          <ul className="links">
            {user.links.map((l) => (
              <li key={l.url}>
                <a href={l.url} rel="noopener noreferrer nofollow" target="_blank">
                  <Icon name="link" size={14} /> {l.domain}
                </a>
              </li>
            ))}
          </ul>
        )}
        {mine ? (
          <div className="row">
            <button className="button secondary" onClick={() => setEditing(!editing)}>
              {t('editProfile')}
            </button>
            <Link to="/settings" className="button secondary">
              {t('settings')}
              {requests > 0 && (
                <span className="count-badge" data-testid="requests-badge" aria-label={st('waitingN', { n: requests })}>
                  {requests}
                </span>
              )}
            </Link>
          </div>
        ) : (
          <div className="row wrap">
            <button
              className={follow === 'none' ? 'button' : 'button secondary'}
              onClick={toggleFollow}
              aria-pressed={follow !== 'none'}
              disabled={me !== null && follow === null}
            >
              {follow === 'following' ? t('unfollow') : follow === 'requested' ? st('requested') : user.isPrivate ? st('requestFollow') : t('follow')}
            </button>
            {me && (
              <>
                <button className="button secondary" onClick={toggleMute} aria-pressed={muted}>
                  {muted ? st('unmute') : st('mute')}
                </button>
                <button className="button secondary" onClick={block}>
                  {t('block')}
                </button>
                <button className="button secondary" onClick={() => setReporting(true)}>
                  {t('report')}
                </button>
              </>
            )}
          </div>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </header>
      {reporting && (
        <Suspense fallback={null}>
          <Report target={{ kind: 'account', id: user.handle }} onClose={() => setReporting(false)} />
        </Suspense>
      )}
      {editing && me && <EditProfile me={me} done={() => setEditing(false)} />}
      {closed ? (
        <p className="muted center" data-testid="private-note">
          {st('privateProfile')}
        </p>
      ) : posts ? (
        <Grid posts={posts} />
      ) : (
        <p className="muted center">{t('loading')}</p>
      )}
    </main>
  );
}
