import { useEffect, useState, type FormEvent } from 'react';
import { api, get, type Me, type Page, type Post } from '../api.ts';
import { t } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.ts';
import { compact } from '../text.tsx';
import { Grid } from './Grid.tsx';
import { Icon } from '../icons.tsx';

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
  useEffect(() => void get<Page<Person>>(`/users/${handle}/${list}?limit=50`).then((p) => setItems(p.items), (e: Error) => setError(e.message)), [handle, list]);
  return (
    <main className="page narrow">
      <h1>
        <Link to={`/@${handle}`}>@{handle}</Link> · {t(list === 'followers' ? 'followersN' : 'followingN')}
      </h1>
      {error && <p className="error" role="alert">{error}</p>}
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
      await api('PATCH', '/me/profile', { displayName: f.displayName, bio: f.bio, links: f.links.split('\n').map((s) => s.trim()).filter(Boolean) });
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
      {error && <p className="error" role="alert">{error}</p>}
      <button className="button">{t('save')}</button>
    </form>
  );
}

export default function Profile({ handle, list }: { handle: string; list?: 'followers' | 'following' }) {
  const { me } = useSession();
  const [user, setUser] = useState<User | null>(null);
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [following, setFollowing] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const mine = me?.handle === handle;
  useEffect(() => {
    if (list) return;
    setUser(null);
    setError(null);
    get<User>(`/users/${handle}`).then(setUser, (e: Error) => setError(e.message));
    get<Page<Post>>(`/users/${handle}/videos?limit=30`).then((p) => setPosts(p.items), () => setPosts([]));
  }, [handle, list, me]);
  useEffect(() => {
    // the profile API has no "do I follow them" field: look for them in my following list
    if (!me || mine) return;
    get<Page<Person>>(`/users/${me.handle}/following?limit=100`).then((p) => setFollowing(p.items.some((x) => x.handle === handle)), () => {});
  }, [me, handle, mine]);
  if (list) return <People handle={handle} list={list} />;
  const follow = async () => {
    if (!me) return navigate('/login');
    try {
      await api(following ? 'DELETE' : 'POST', `/users/${handle}/follow`);
      setFollowing(!following);
      setUser((u) => u && { ...u, followerCount: u.followerCount + (following ? -1 : 1) });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (error && !user)
    return (
      <main className="page center">
        <p className="error" role="alert">{error}</p>
      </main>
    );
  if (!user) return <main className="page center">{t('loading')}</main>;
  return (
    <main className="page">
      <header className="profile-head">
        <Avatar url={user.avatarUrl} name={user.displayName} />
        <h1>{user.displayName}</h1>
        <p className="muted">@{user.handle}</p>
        <ul className="counts">
          <li>
            <Link to={`/@${handle}/following`}>
              <b data-testid="following-count">{compact(user.followingCount)}</b> {t('followingN')}
            </Link>
          </li>
          <li>
            <Link to={`/@${handle}/followers`}>
              <b data-testid="follower-count">{compact(user.followerCount)}</b> {t('followersN')}
            </Link>
          </li>
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
            </Link>
          </div>
        ) : (
          <button className={following ? 'button secondary' : 'button'} onClick={follow} aria-pressed={!!following}>
            {following ? t('unfollow') : t('follow')}
          </button>
        )}
        {error && <p className="error" role="alert">{error}</p>}
      </header>
      {editing && me && <EditProfile me={me} done={() => setEditing(false)} />}
      {posts ? <Grid posts={posts} /> : <p className="muted center">{t('loading')}</p>}
    </main>
  );
}
