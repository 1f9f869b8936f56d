import { useEffect, useState, type FormEvent } from 'react';
import { api, get, messageOf } from '../../api.ts';
import { labelText } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import { st, actionText } from '../safety-strings.ts';

// Moderation decisions about my videos, comments and account (GET /me/moderation),
// each with the moderator's reason; one appeal per decision (POST /me/appeals),
// and the appeal's outcome once decided.

export interface Decision {
  id: string;
  target: { kind: 'video' | 'comment' | 'account'; id: string };
  action: string;
  label: string | null;
  reasonText: string;
  state: string;
  createdAt: string;
  appeal: { text: string; at: string; decision: string | null; decisionText: string | null } | null;
  mayAppeal: boolean;
}

function Appeal({ d, onDone }: { d: Decision; onDone(d: Decision): void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      onDone(await api<Decision>('POST', '/me/appeals', { actionId: d.id, text }));
    } catch (err) {
      setError(messageOf(err)); // the text stays
    }
  };
  if (!open)
    return (
      <button className="button secondary" onClick={() => setOpen(true)}>
        {st('appeal')}
      </button>
    );
  return (
    <form className="form" onSubmit={send}>
      <label>
        {st('appealWhy')}
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} maxLength={2000} required />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="button">{st('sendAppeal')}</button>
    </form>
  );
}

export function Decisions() {
  const [items, setItems] = useState<Decision[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () =>
      void get<{ items: Decision[] }>('/me/moderation').then(
        (r) => setItems(r.items),
        (e) => setError(messageOf(e)),
      ),
    [],
  );
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!items?.length) return null;
  return (
    <section className="card" aria-labelledby="decisions-title" data-testid="decisions">
      <h2 id="decisions-title">{st('decisions')}</h2>
      <ul className="people">
        {items.map((d) => (
          <li key={d.id} data-decision={d.id}>
            <p>
              <b>{actionText(d.action)}</b>
              {d.label && ` · ${labelText(d.label)}`} —{' '}
              {d.target.kind === 'video' ? (
                <Link to={`/watch/${d.target.id}`}>{st('yourVideo')}</Link>
              ) : (
                st(d.target.kind === 'comment' ? 'yourComment' : 'yourAccount')
              )}
            </p>
            <p>
              {st('reason')}: {d.reasonText}
            </p>
            {d.appeal ? (
              <p className="muted" role="status">
                {d.appeal.decision
                  ? st(d.appeal.decision === 'reverse' ? 'appealReversed' : 'appealUpheld') + (d.appeal.decisionText ? ` ${d.appeal.decisionText}` : '')
                  : st('appealSent')}
              </p>
            ) : (
              d.mayAppeal && <Appeal d={d} onDone={(n) => setItems((xs) => xs!.map((x) => (x.id === n.id ? n : x)))} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
