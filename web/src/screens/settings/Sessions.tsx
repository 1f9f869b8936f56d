import { useEffect, useState } from 'react';
import { api, get } from '../../api.ts';
import { t } from '../../i18n.ts';

// Settings → Sessions: every device the person is logged in on (GET /me/sessions),
// "log out" per device, and "log out everywhere else". Ending the current one logs
// this browser out (onLoggedOut).

interface Session {
  id: string;
  device: string;
  userAgent: string | null;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function Sessions({ onLoggedOut }: { onLoggedOut(): void }) {
  const [items, setItems] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => get<{ items: Session[] }>('/me/sessions').then((r) => setItems(r.items), (e: Error) => setError(e.message));
  useEffect(() => void load(), []);
  const end = async (s: Session) => {
    setError(null);
    try {
      await api('DELETE', `/me/sessions/${s.id}`);
      if (s.current) return onLoggedOut();
      setItems((xs) => xs!.filter((x) => x.id !== s.id));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const endOthers = async () => {
    setError(null);
    try {
      await api('DELETE', '/me/sessions/others');
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <p className="muted">{t('sessionsNote')}</p>
      {!items && !error && <p className="muted">{t('loading')}</p>}
      <ul className="sessions" data-testid="sessions">
        {items?.map((s) => (
          <li key={s.id}>
            <div>
              <b>{s.device}</b> {s.current && <span className="pill">{t('thisDevice')}</span>}
              <br />
              <small className="muted" title={s.userAgent ?? undefined}>
                {t('sessionTimes', { created: when(s.createdAt), used: when(s.lastUsedAt) })}
              </small>
            </div>
            <button className="button secondary" onClick={() => end(s)} aria-label={`${t('logOut')}: ${s.device}${s.current ? ` (${t('thisDevice')})` : ''}`}>
              {t('logOut')}
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items && items.length > 1 && (
        <button className="button secondary" onClick={endOthers}>
          {t('logOutOthers')}
        </button>
      )}
    </>
  );
}
