import { useEffect, useState } from 'react';
import { api, get, type Page } from '../api.ts';
import { ago, t } from '../i18n.ts';
import { Link } from '../router.tsx';
import { Decisions } from './inbox/Decisions.tsx';

interface Group {
  groupKey: string;
  kind: string;
  unread: boolean;
  summary: string;
  excerpt: string;
  videoId: string | null;
  latestAt: string;
  actors: { handle: string | null }[];
}

export default function Inbox() {
  const [items, setItems] = useState<Group[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Page<Group>>('/me/notifications?limit=50').then(
      (p) => {
        setItems(p.items);
        // opening the inbox reads it; the dots stay for this visit
        if (p.items.some((g) => g.unread)) void api('POST', '/me/notifications/read', {}).then(() => dispatchEvent(new Event('reelm:unread')), () => {});
      },
      (e: Error) => setError(e.message),
    );
  }, []);
  return (
    <main className="page narrow">
      <h1>{t('notifications')}</h1>
      <Decisions />
      {error && <p className="error" role="alert">{error}</p>}
      {items?.length === 0 && <p className="muted">{t('noNotifications')}</p>}
      <ul className="notifications">
        {items?.map((g) => (
          <li key={g.groupKey} className={g.unread ? 'unread' : ''} data-kind={g.kind}>
            {g.actors[0]?.handle && (
              <Link to={`/@${g.actors[0].handle}`} className="avatar small" label={`@${g.actors[0].handle}`}>
                {g.actors[0].handle.slice(0, 1).toUpperCase()}
              </Link>
            )}
            <div>
              <p>{g.summary}</p>
              {g.excerpt && <p className="muted">“{g.excerpt}”</p>}
              <time className="muted" dateTime={g.latestAt} title={new Date(g.latestAt).toLocaleString()}>
                {ago(g.latestAt)}
              </time>
            </div>
            {g.videoId && <Link to={`/watch/${g.videoId}`}>▶</Link>}
          </li>
        ))}
      </ul>
    </main>
  );
}
