import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, get, messageOf, type HomeRealm } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { navigate } from '../../router.tsx';
import { useSession } from '../../session.ts';
import { CODES } from '../Auth.tsx';
import { st } from '../safety-strings.ts';

// Settings › Your data: download my data (POST/GET /me/exports; the archive is
// fetched through the signed link the list gives), move to the home realm of
// a new country (POST /me/move-request; the policy decides and the server says
// why not), and delete my account (DELETE /me with the password, then signed out).

interface Export {
  id: string;
  state: 'queued' | 'building' | 'ready' | 'failed' | 'expired';
  createdAt: string;
  expiresAt: string | null;
  sizeBytes: number | null;
  downloadUrl: string | null;
}

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const size = (n: number) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

export function Exports() {
  const [items, setItems] = useState<Export[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    get<{ items: Export[] }>('/me/exports').then(
      (r) => setItems(r.items),
      (e) => setError(messageOf(e)),
    );
  useEffect(() => void load(), []);
  // while one is being prepared, ask again every few seconds
  const pending = items?.some((x) => x.state === 'queued' || x.state === 'building');
  useEffect(() => {
    if (!pending) return;
    const iv = setInterval(load, 3000);
    return () => clearInterval(iv);
  }, [pending]);
  const request = async () => {
    setError(null);
    try {
      const x = await api<Export>('POST', '/me/exports');
      setItems((xs) => [x, ...(xs ?? []).filter((y) => y.id !== x.id)]);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <>
      <h3>{st('downloadData')}</h3>
      <p className="muted">{st('downloadNote')}</p>
      <button className="button secondary" onClick={request} disabled={pending}>
        {st('requestExport')}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="sessions" data-testid="exports">
        {items?.map((x) => (
          <li key={x.id} data-state={x.state}>
            <div>
              <b>{st(`export_${x.state}`)}</b>
              <br />
              <small className="muted">
                {st('requestedAt', { at: when(x.createdAt) })}
                {x.expiresAt && x.state === 'ready' && ` · ${st('expiresAt', { at: when(x.expiresAt) })}`}
                {x.sizeBytes !== null && ` · ${size(x.sizeBytes)}`}
              </small>
            </div>
            {x.downloadUrl && (
              <a className="button" href={x.downloadUrl} download>
                {st('download')}
              </a>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

interface Move {
  to: string;
  step: string;
}

export function MoveRealm() {
  const lang = useLang();
  const { me } = useSession();
  const [country, setCountry] = useState('');
  const [realm, setRealm] = useState<HomeRealm | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const names = useMemo(() => new Intl.DisplayNames([lang], { type: 'region' }), [lang]);
  const countries = useMemo(() => CODES.map((c) => [c, names.of(c) ?? c] as const).sort((a, b) => a[1].localeCompare(b[1], lang)), [names, lang]);
  useEffect(() => {
    setRealm(null);
    setResult(null);
    if (country) get<HomeRealm>(`/realms/home?country=${country}`).then(setRealm, (e) => setResult({ ok: false, text: messageOf(e) }));
  }, [country]);
  const move = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const m = await api<Move>('POST', '/me/move-request', { country });
      setResult({ ok: true, text: st('moveStarted', { realm: realm?.displayName ?? m.to }) });
    } catch (err) {
      setResult({ ok: false, text: messageOf(err) });
    }
  };
  return (
    <form className="form" onSubmit={move}>
      <h3>{st('moveRealm')}</h3>
      <p className="muted">{st('moveNote')}</p>
      <label>
        {st('newCountry')}
        <select value={country} onChange={(e) => setCountry(e.target.value)} required>
          <option value="" />
          {countries.map(([c, n]) => (
            <option key={c} value={c}>
              {n}
            </option>
          ))}
        </select>
      </label>
      {realm && (
        <p className="realm-note" data-testid="move-realm">
          {realm.name === me?.realm ? st('moveSame', { realm: realm.displayName }) : st('moveTo', { realm: realm.displayName, operator: realm.operator })}
        </p>
      )}
      {result && (
        <p className={result.ok ? 'ok' : 'error'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
      <button className="button secondary" disabled={!country}>
        {st('requestMove')}
      </button>
    </form>
  );
}

export function DeleteAccount() {
  const { refresh } = useSession();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const remove = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('DELETE', '/me', { password });
      await refresh(); // the server ended every session: this browser is signed out
      navigate('/login?deleted=1', true);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={remove}>
      <h3>{st('deleteAccount')}</h3>
      <p className="muted">{st('deleteNote')}</p>
      <label>
        {st('confirmPassword')}
        <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="button danger" disabled={busy}>
        {st('deleteForever')}
      </button>
    </form>
  );
}
