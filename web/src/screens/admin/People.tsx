import { useState, type FormEvent } from 'react';
import { messageOf } from '../../api.ts';
import type { StaffCall } from '../Admin.tsx';
import { a } from './strings.ts';

// Acting on one person: a staff read of their protected data (POST /staff/reads: the justification
// is required and the person sees it in their access log) and, for administrators, starting their
// move to another realm (POST /staff/moves, the same service as `reelm move`).

interface Record_ {
  handle: string;
  realm: string;
  email: string;
  birthDate: string;
  country: string;
  activeSessions: number;
  accessSeq: number;
}

function StaffRead({ call }: { call: StaffCall }) {
  const [f, setF] = useState({ handle: '', justification: '' });
  const [r, setR] = useState<Record_ | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setR(null);
    try {
      setR(await call<Record_>('POST', '/staff/reads', { handle: f.handle.trim().replace(/^@/, ''), justification: f.justification }));
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form className="form check-block" onSubmit={submit} aria-labelledby="staff-read">
      <h3 id="staff-read">{a('staffRead')}</h3>
      <label>
        {a('handle')}
        <input value={f.handle} onChange={(e) => setF({ ...f, handle: e.target.value })} required maxLength={64} />
      </label>
      <label>
        {a('justification')}
        <textarea value={f.justification} onChange={(e) => setF({ ...f, justification: e.target.value })} required maxLength={2000} />
      </label>
      <p className="muted">{a('justificationNote')}</p>
      <button className="button secondary">{a('read')}</button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {r && (
        <div role="status" data-testid="staff-read-result">
          <dl>
            <dt>{a('email')}</dt>
            <dd>{r.email}</dd>
            <dt>{a('birthDate')}</dt>
            <dd>{r.birthDate}</dd>
            <dt>{a('country')}</dt>
            <dd>{r.country}</dd>
            <dt>{a('realm')}</dt>
            <dd>{r.realm}</dd>
            <dt>{a('sessions')}</dt>
            <dd>{r.activeSessions}</dd>
            <dt>{a('logged')}</dt>
            <dd>#{r.accessSeq}</dd>
          </dl>
        </div>
      )}
    </form>
  );
}

function StaffMove({ call, realms }: { call: StaffCall; realms: string[] }) {
  const [f, setF] = useState({ handle: '', to: '', country: '' });
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      const m = await call<{ from: string; to: string; step: string }>('POST', '/staff/moves', {
        handle: f.handle.trim().replace(/^@/, ''),
        to: f.to.trim(),
        country: f.country.trim() || undefined,
      });
      setDone(a('moveStarted', { from: m.from, to: m.to, step: m.step }));
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form className="form check-block" onSubmit={submit} aria-labelledby="staff-move">
      <h3 id="staff-move">{a('staffMove')}</h3>
      <label>
        {a('handle')}
        <input value={f.handle} onChange={(e) => setF({ ...f, handle: e.target.value })} required maxLength={64} />
      </label>
      <label>
        {a('moveTo')}
        <input value={f.to} onChange={(e) => setF({ ...f, to: e.target.value })} required maxLength={16} list="move-realms" />
        <datalist id="move-realms">
          {realms.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
      </label>
      <label>
        {a('moveCountry')}
        <input value={f.country} onChange={(e) => setF({ ...f, country: e.target.value })} maxLength={8} placeholder="BR" />
      </label>
      <button className="button secondary">{a('startMove')}</button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && <p role="status">{done}</p>}
    </form>
  );
}

export function People({ call, realms, administrator }: { call: StaffCall; realms: string[]; administrator: boolean }) {
  return (
    <section className="card" aria-labelledby="people">
      <h2 id="people">{a('people')}</h2>
      <StaffRead call={call} />
      {administrator && <StaffMove call={call} realms={realms} />}
    </section>
  );
}
