import { useEffect, useState, type FormEvent } from 'react';
import { api, messageOf } from '../api.ts';
import { t } from '../i18n.ts';
import { a } from './admin/strings.ts';
import { AdminQueue } from './admin/Queue.tsx';
import { Lifecycle } from './admin/Lifecycle.tsx';
import { People } from './admin/People.tsx';

// /admin: the console for an operator's staff. They sign in with their staff
// token (never a person's session; kept in sessionStorage, so only in this tab)
// and see only their operator's realms: state, the residency audit, the
// verification of the access chain, and the moderation queue and appeals.

interface Realm {
  name: string;
  displayName: string;
  state: string;
  closesAt: string | null;
  countries: string[];
}
interface Console {
  staff: { name: string; role: string; operator: string; operatorName: string };
  realms: Realm[];
}
export type StaffCall = <T = any>(method: string, path: string, body?: unknown) => Promise<T>;

const KEY = 'reelm.staffToken';

function Check({ title, button, run }: { title: string; button: string; run(): Promise<{ ok: boolean; lines: string[] }> }) {
  const [r, setR] = useState<{ ok: boolean; lines: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      setR(await run());
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="check-block">
      <h3>{title}</h3>
      <button className="button secondary" onClick={go} disabled={busy}>
        {button}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {r && (
        <div role="status" className={r.ok ? 'ok' : 'error'}>
          {r.lines.map((l, i) => (
            <p key={i}>{l}</p>
          ))}
        </div>
      )}
    </div>
  );
}

function RealmPanel({ realm, call, administrator, onChanged }: { realm: Realm; call: StaffCall; administrator: boolean; onChanged(): void }) {
  const audit = async () => {
    const r = await call<{
      ok: boolean;
      realm: { rows: number; files: number };
      findings: { kind: string; table?: string; message: string }[];
      seconds: number;
    }>('GET', `/admin/realms/${realm.name}/residency-audit`);
    return r.ok
      ? { ok: true, lines: [a('auditClean', { rows: r.realm.rows, files: r.realm.files, s: r.seconds.toFixed(2) })] }
      : { ok: false, lines: [a('auditFindings', { n: r.findings.length }), ...r.findings.map((f) => `${f.kind}: ${f.message}`)] };
  };
  const verify = async () => {
    const r = await call<{ ok: boolean; entries: number; redacted: number; problems: string[]; head: { seq: number; publicKey: string } }>(
      'GET',
      `/admin/realms/${realm.name}/audit-log`,
    );
    return r.ok
      ? { ok: true, lines: [a('logIntact', { entries: r.entries, redacted: r.redacted, seq: r.head.seq, key: r.head.publicKey })] }
      : { ok: false, lines: [a('logBroken', { entries: r.entries }), ...r.problems] };
  };
  return (
    <section className="card" aria-labelledby={`realm-${realm.name}`}>
      <h2 id={`realm-${realm.name}`}>
        {realm.displayName} ({realm.name})
      </h2>
      <p>
        {a('state')}: <b data-testid="realm-state">{realm.state}</b>
        {realm.closesAt && ` · ${a('closesAt', { at: new Date(realm.closesAt).toLocaleString() })}`} · {a('countries', { n: realm.countries.length })}
      </p>
      <Check title={a('residencyAudit')} button={a('runAudit')} run={audit} />
      <Check title={a('auditLog')} button={a('verifyLog')} run={verify} />
      {administrator && <Lifecycle realm={realm.name} state={realm.state} call={call} onChanged={onChanged} />}
      <AdminQueue realm={realm.name} call={call} />
    </section>
  );
}

export default function Admin() {
  const [token, setToken] = useState(() => sessionStorage.getItem(KEY) ?? '');
  const [draft, setDraft] = useState('');
  const [data, setData] = useState<Console | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const call: StaffCall = (method, path, body) => api(method, path, body, { authorization: `Bearer ${token}` });
  const load = () =>
    call<Console>('GET', '/admin/realms').then(
      (c) => (setData(c), setChosen((x) => x ?? c.realms[0]?.name ?? null)),
      (e) => (sessionStorage.removeItem(KEY), setToken(''), setError(messageOf(e))),
    );
  useEffect(() => {
    if (!token) return setData(null);
    void load();
  }, [token]);
  const signIn = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    sessionStorage.setItem(KEY, draft.trim());
    setToken(draft.trim());
    setDraft('');
  };
  const signOut = () => (sessionStorage.removeItem(KEY), setToken(''), setChosen(null));
  if (!token || !data)
    return (
      <main className="page narrow">
        <h1>{a('title')}</h1>
        <form className="form" onSubmit={signIn}>
          <label>
            {a('tokenLabel')}
            <input type="password" autoComplete="off" value={draft} onChange={(e) => setDraft(e.target.value)} required />
          </label>
          <p className="muted">{a('tokenNote')}</p>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button className="button">{a('signIn')}</button>
        </form>
        {token && !error && <p className="muted">{t('loading')}</p>}
      </main>
    );
  const realm = data.realms.find((r) => r.name === chosen);
  const admin = data.staff.role === 'administrator';
  return (
    <main className="page admin">
      <h1>{a('title')}</h1>
      <p className="row wrap-left">
        <span data-testid="staff">{a('who', { name: data.staff.name, role: data.staff.role, operator: data.staff.operatorName })}</span>
        <button className="button secondary" onClick={signOut}>
          {a('signOut')}
        </button>
      </p>
      <nav aria-label={a('realms')} className="tabs inline">
        {data.realms.map((r) => (
          <button
            key={r.name}
            className={r.name === chosen ? 'active' : ''}
            aria-current={r.name === chosen ? 'page' : undefined}
            onClick={() => setChosen(r.name)}
          >
            {r.displayName} <small>{r.state}</small>
          </button>
        ))}
      </nav>
      {realm && <RealmPanel key={realm.name} realm={realm} call={call} administrator={admin} onChanged={load} />}
      <People call={call} realms={data.realms.map((r) => r.name)} administrator={admin} />
    </main>
  );
}
