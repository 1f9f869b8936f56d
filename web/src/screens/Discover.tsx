import { useEffect, useState, type FormEvent } from 'react';
import { get, type Post } from '../api.ts';
import { followersLabel, t } from '../i18n.ts';
import { Link } from '../router.tsx';
import { Grid } from './Grid.tsx';

type Tab = 'accounts' | 'hashtags' | 'sounds' | 'videos';
interface Results {
  accounts: { handle: string; displayName: string; followerCount: number }[];
  hashtags: { tag: string; videoCount: number }[];
  sounds: { id: string; title: string; videoCount: number }[];
  videos: Post[];
}
interface Trend {
  key: string;
  title: string;
  videoCount: number;
}

/** How many trending hashtags show their videos on Discover. */
const ROWS = 3;

export default function Discover() {
  const [q, setQ] = useState(new URLSearchParams(location.search).get('q') ?? '');
  const [tab, setTab] = useState<Tab>('accounts');
  const [res, setRes] = useState<Results | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [trends, setTrends] = useState<{ tags: Trend[]; sounds: Trend[] } | null>(null);
  const [rows, setRows] = useState<{ tag: string; posts: Post[] }[]>([]);
  useEffect(() => {
    Promise.all([get<{ items: Trend[] }>('/trending/hashtags?limit=10'), get<{ items: Trend[] }>('/trending/sounds?limit=10')]).then(
      ([a, b]) => {
        setTrends({ tags: a.items, sounds: b.items });
        // the videos of the top hashtags, as rows under the chips (each page is checked for this viewer by the server)
        Promise.all(a.items.slice(0, ROWS).map((h) => get<{ items: Post[] }>(`/hashtags/${encodeURIComponent(h.key)}?limit=6`).then((r) => ({ tag: h.key, posts: r.items })))).then(
          (r) => setRows(r.filter((x) => x.posts.length > 0)),
          () => {},
        );
      },
      (e: Error) => setError(e.message),
    );
  }, []);
  const search = (e?: FormEvent) => {
    e?.preventDefault();
    if (!q.trim()) return;
    history.replaceState(null, '', `/discover?q=${encodeURIComponent(q)}`);
    setError(null);
    get<Results>(`/search?q=${encodeURIComponent(q.trim())}&type=all&limit=20`).then(
      (r) => {
        setRes(r);
        // open the first tab that has something
        setTab((['accounts', 'hashtags', 'sounds', 'videos'] as Tab[]).find((k) => r[k].length > 0) ?? 'accounts');
      },
      (err: Error) => setError(err.message),
    );
  };
  useEffect(() => void (q && search()), []);
  return (
    <main className="page discover">
      <form onSubmit={search} className="search row" role="search">
        <input type="search" aria-label={t('search')} placeholder={t('search')} value={q} onChange={(e) => setQ(e.target.value)} />
        <button className="button">{t('search')}</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {res && (
        <>
          <div className="tabs inline" role="tablist">
            {(['accounts', 'hashtags', 'sounds', 'videos'] as Tab[]).map((k) => (
              <button key={k} role="tab" aria-selected={tab === k} className={tab === k ? 'active' : ''} onClick={() => setTab(k)}>
                {t(k)} <small>{res[k].length}</small>
              </button>
            ))}
          </div>
          {tab === 'videos' ? (
            <Grid posts={res.videos} />
          ) : (
            <ul className="people">
              {res[tab].length === 0 && <li className="muted">{t('noResults')}</li>}
              {tab === 'accounts' &&
                res.accounts.map((a) => (
                  <li key={a.handle}>
                    <Link to={`/@${a.handle}`}>
                      <b>{a.displayName}</b> <span className="muted">@{a.handle} · {a.followerCount} {followersLabel(a.followerCount)}</span>
                    </Link>
                  </li>
                ))}
              {tab === 'hashtags' &&
                res.hashtags.map((h) => (
                  <li key={h.tag}>
                    <Link to={`/tag/${encodeURIComponent(h.tag)}`}>#{h.tag} <span className="muted">· {h.videoCount}</span></Link>
                  </li>
                ))}
              {tab === 'sounds' &&
                res.sounds.map((s) => (
                  <li key={s.id}>
                    <Link to={`/sound/${s.id}`}>♪ {s.title} <span className="muted">· {s.videoCount}</span></Link>
                  </li>
                ))}
            </ul>
          )}
        </>
      )}
      {!res && trends && (
        <section>
          <h2>{t('trending')}</h2>
          <ul className="chips">
            {trends.tags.map((h) => (
              <li key={h.key}>
                <Link to={`/tag/${encodeURIComponent(h.key)}`} className="chip">#{(h.title || h.key).replace(/^#/, '')}</Link>
              </li>
            ))}
            {trends.sounds.map((s) => (
              <li key={s.key}>
                <Link to={`/sound/${s.key}`} className="chip">♪ {s.title || s.key}</Link>
              </li>
            ))}
            {trends.tags.length + trends.sounds.length === 0 && <li className="muted">{t('noResults')}</li>}
          </ul>
          {rows.map((r) => (
            <section key={r.tag} className="trend-row" aria-labelledby={`trend-${r.tag}`}>
              <h3 id={`trend-${r.tag}`}>
                <Link to={`/tag/${encodeURIComponent(r.tag)}`}>#{r.tag.replace(/^#/, '')}</Link>
              </h3>
              <Grid posts={r.posts} />
            </section>
          ))}
        </section>
      )}
    </main>
  );
}
