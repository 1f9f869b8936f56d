import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, get } from '../api.ts';
import { setLang, t, useLang, type Lang } from '../i18n.ts';
import { navigate } from '../router.tsx';
import { useSession } from '../session.ts';
import { Sessions } from './settings/Sessions.tsx';
import { Privacy } from './settings/Privacy.tsx';
import { DeleteAccount, Exports, MoveRealm } from './settings/YourData.tsx';

interface Residency {
  realm: { name: string; displayName: string };
  operator: { id: string; name: string };
  stores: Record<string, unknown>;
  flows: string;
}
interface Access {
  at: string;
  staffName: string;
  role: string;
  operator: string;
  action: string;
  fields: string[];
  justification: string;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function Result({ r }: { r: { ok: boolean; text: string } | null }) {
  return r && <p className={r.ok ? 'ok' : 'error'} role={r.ok ? 'status' : 'alert'}>{r.text}</p>;
}

export default function Settings() {
  const lang = useLang();
  const { me, ready, refresh } = useSession();
  const [res, setRes] = useState<Residency | null>(null);
  const [log, setLog] = useState<Access[] | null>(null);
  const [blocks, setBlocks] = useState<{ handle: string }[] | null>(null);
  const [closing, setClosing] = useState<string | null>(null);
  const [pw, setPw] = useState({ currentPassword: '', newPassword: '' });
  const [pwRes, setPwRes] = useState<{ ok: boolean; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (ready && !me) return navigate('/login', true);
    if (!me) return;
    get<Residency>('/me/residency').then(setRes, (e: Error) => setError(e.message));
    get<{ entries: Access[] }>('/me/access-log').then((r) => setLog(r.entries), (e: Error) => setError(e.message));
    get<{ message: string | null }>('/me/realm-status').then((r) => setClosing(r.message), () => {});
    get<{ items: { handle: string }[] }>('/me/blocks').then((r) => setBlocks(r.items), (e: Error) => setError(e.message));
  }, [me, ready]);
  if (!me) return <main className="page center">{t('loading')}</main>;
  const changePw = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api('PUT', '/me/password', pw);
      setPw({ currentPassword: '', newPassword: '' });
      setPwRes({ ok: true, text: t('saved') });
    } catch (err) {
      setPwRes({ ok: false, text: (err as Error).message });
    }
  };
  const loggedOut = async () => {
    await refresh();
    navigate('/', true);
  };
  const logout = async () => {
    await api('DELETE', '/sessions/current').catch(() => {});
    await loggedOut();
  };
  return (
    <main className="page narrow settings">
      <h1>{t('settings')}</h1>
      {error && <p className="error" role="alert">{error}</p>}
      <Section title={t('account')}>
        <dl>
          <dt>{t('handle')}</dt>
          <dd>@{me.handle}</dd>
          <dt>{t('email')}</dt>
          <dd>{me.email}</dd>
          <dt>{t('country')}</dt>
          <dd>{me.homeRealm.countryName}</dd>
        </dl>
        <label>
          {t('language')}
          <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            <option value="en">English</option>
            <option value="fr">Français</option>
          </select>
        </label>
        <button className="button secondary" onClick={logout}>
          {t('logOut')}
        </button>
      </Section>
      <Section title={t('yourData')}>
        {closing && (
          <p className="error" role="alert" data-testid="realm-closing">
            {closing}
          </p>
        )}
        <p data-testid="data-sentence">
          {t('dataSentence', { realm: me.homeRealm.displayName, operator: res?.operator.name ?? me.homeRealm.operator })}
        </p>
        {res && (
          <details>
            <summary>{t('tracks')}</summary>
            <dl>
              <dt>Realm</dt>
              <dd>
                {res.realm.displayName} ({res.realm.name})
              </dd>
              <dt>Operator</dt>
              <dd>
                {res.operator.name} ({res.operator.id})
              </dd>
              {Object.entries(res.stores).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                </div>
              ))}
              <dt>Flows</dt>
              <dd>{res.flows}</dd>
            </dl>
          </details>
        )}
        <h3>{t('staffLog')}</h3>
        {log?.length === 0 && <p className="muted">{t('noStaffReads')}</p>}
        <ul>
          {log?.map((a, i) => (
            <li key={i}>
              {new Date(a.at).toLocaleString()} — {a.staffName} ({a.role}, {a.operator}): {a.action} {a.fields.join(', ')} — “{a.justification}”
            </li>
          ))}
        </ul>
        <Exports />
        <MoveRealm />
        <DeleteAccount />
      </Section>
      <Section title={t('privacy')}>
        <Privacy />
      </Section>
      <Section title={t('changePassword')}>
        <form className="form" onSubmit={changePw}>
          <label>
            {t('currentPassword')}
            <input type="password" autoComplete="current-password" value={pw.currentPassword} onChange={(e) => setPw({ ...pw, currentPassword: e.target.value })} required />
          </label>
          <label>
            {t('newPassword')}
            <input type="password" autoComplete="new-password" value={pw.newPassword} onChange={(e) => setPw({ ...pw, newPassword: e.target.value })} required />
          </label>
          <Result r={pwRes} />
          <button className="button">{t('save')}</button>
        </form>
      </Section>
      <Section title={t('sessions')}>
        <Sessions onLoggedOut={loggedOut} />
      </Section>
      <Section title={t('blocked')}>
        {blocks?.length === 0 && <p className="muted">{t('noBlocked')}</p>}
        <ul className="people">
          {blocks?.map((b) => (
            <li key={b.handle}>
              @{b.handle}{' '}
              <button
                onClick={() =>
                  api('DELETE', `/blocks/${b.handle}`).then(
                    () => setBlocks((xs) => xs!.filter((x) => x.handle !== b.handle)),
                    (e: Error) => setError(e.message),
                  )
                }
              >
                {t('unblock')}
              </button>
            </li>
          ))}
        </ul>
      </Section>
    </main>
  );
}
