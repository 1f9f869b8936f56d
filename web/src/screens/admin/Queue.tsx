import { useEffect, useState, type FormEvent } from 'react';
import { get, messageOf } from '../../api.ts';
import { labelText } from '../../i18n.ts';
import type { StaffCall } from '../Admin.tsx';
import { a } from './strings.ts';
import { reasonLabel, actionText } from '../safety-strings.ts';

// The moderation queue of one realm (open reports grouped by target) with the
// actions the API allows for each kind of target and a reason the creator
// reads; and the appeals waiting for a decision (uphold or reverse, with a reason).

type Kind = 'video' | 'comment' | 'account';
interface Entry {
  target: { kind: Kind; id: string; ownerHandle: string; preview: string };
  reports: number;
  reasons: Record<string, number>;
  notes: string[];
}
interface Vocabulary {
  reasons: string[];
  actions: Record<Kind, string[]>;
  labels: { video: string[]; account: string[] };
}
interface Appeal {
  id: string;
  target: { kind: Kind; id: string };
  action: string;
  reasonText: string;
  appeal: { text: string } | null;
}

function ActForm({ entry, vocabulary, realm, call, onDone }: { entry: Entry; vocabulary: Vocabulary; realm: string; call: StaffCall; onDone(action: string): void }) {
  const kind = entry.target.kind;
  const actions = vocabulary.actions[kind];
  const labels = kind === 'comment' ? [] : vocabulary.labels[kind];
  // the most reported reason first
  const top = Object.entries(entry.reasons).sort((x, y) => y[1] - x[1])[0]?.[0] ?? vocabulary.reasons[0]!;
  const [f, setF] = useState({ action: actions[0]!, label: labels[0] ?? '', reasonCode: top, reasonText: '' });
  const [error, setError] = useState<string | null>(null);
  const id = `${kind}-${entry.target.id}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await call('POST', `/admin/realms/${realm}/actions`, {
        target: { kind, id: entry.target.id },
        action: f.action,
        label: f.action === 'label' ? f.label : undefined,
        reasonCode: f.reasonCode,
        reasonText: f.reasonText,
      });
      onDone(f.action);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form className="form act" onSubmit={submit}>
      <div className="row wrap-left">
        <label>
          {a('action')}
          <select id={`${id}-action`} value={f.action} onChange={(e) => setF({ ...f, action: e.target.value })}>
            {actions.map((x) => (
              <option key={x} value={x}>
                {actionText(x)}
              </option>
            ))}
          </select>
        </label>
        {f.action === 'label' && (
          <label>
            {a('label')}
            <select value={f.label} onChange={(e) => setF({ ...f, label: e.target.value })}>
              {labels.map((x) => (
                <option key={x} value={x}>
                  {labelText(x)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {a('reasonCode')}
          <select value={f.reasonCode} onChange={(e) => setF({ ...f, reasonCode: e.target.value })}>
            {vocabulary.reasons.map((x) => (
              <option key={x} value={x}>
                {reasonLabel(x)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        {a('reasonText')}
        <textarea value={f.reasonText} onChange={(e) => setF({ ...f, reasonText: e.target.value })} rows={2} maxLength={2000} required />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="button">{a('apply')}</button>
    </form>
  );
}

function Appeals({ realm, call }: { realm: string; call: StaffCall }) {
  const [items, setItems] = useState<Appeal[] | null>(null);
  const [text, setText] = useState<Record<string, string>>({});
  const [note, setNote] = useState<{ id: string; ok: boolean; text: string } | null>(null);
  useEffect(() => void call<{ items: Appeal[] }>('GET', `/admin/realms/${realm}/appeals`).then((r) => setItems(r.items), (e) => setNote({ id: '', ok: false, text: messageOf(e) })), [realm]);
  const decide = async (d: Appeal, decision: 'uphold' | 'reverse') => {
    try {
      await call('POST', `/admin/realms/${realm}/appeals/${d.id}/decision`, { decision, text: text[d.id] ?? '' });
      setItems((xs) => xs!.filter((x) => x.id !== d.id));
      setNote({ id: '', ok: true, text: a('done', { action: a(decision) }) });
    } catch (e) {
      setNote({ id: d.id, ok: false, text: messageOf(e) });
    }
  };
  return (
    <>
      <h3>{a('appeals')}</h3>
      {items?.length === 0 && <p className="muted">{a('appealsEmpty')}</p>}
      {note && !note.id && (
        <p className={note.ok ? 'ok' : 'error'} role={note.ok ? 'status' : 'alert'}>
          {note.text}
        </p>
      )}
      <ul className="people" data-testid="appeals">
        {items?.map((d) => (
          <li key={d.id} data-appeal={d.id}>
            <p>
              <b>{actionText(d.action)}</b> · {a(`kind_${d.target.kind}`)} — {d.reasonText}
            </p>
            <p>{a('appealText', { text: d.appeal?.text ?? '' })}</p>
            <label>
              {a('decisionText')}
              <textarea value={text[d.id] ?? ''} onChange={(e) => setText({ ...text, [d.id]: e.target.value })} rows={2} maxLength={2000} />
            </label>
            {note?.id === d.id && (
              <p className="error" role="alert">
                {note.text}
              </p>
            )}
            <div className="row">
              <button className="button secondary" onClick={() => decide(d, 'uphold')}>
                {a('uphold')}
              </button>
              <button className="button" onClick={() => decide(d, 'reverse')}>
                {a('reverse')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

export function AdminQueue({ realm, call }: { realm: string; call: StaffCall }) {
  const [items, setItems] = useState<Entry[] | null>(null);
  const [vocabulary, setVocabulary] = useState<Vocabulary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    get<Vocabulary>('/moderation/vocabulary').then(setVocabulary, (e) => setError(messageOf(e)));
    call<{ items: Entry[] }>('GET', `/admin/realms/${realm}/reports`).then((r) => setItems(r.items), (e) => setError(messageOf(e)));
  }, [realm]);
  return (
    <>
      <h3>{a('queue')}</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
      {items?.length === 0 && <p className="muted">{a('queueEmpty')}</p>}
      <ul className="people" data-testid="queue">
        {items?.map((q) => (
          <li key={`${q.target.kind}:${q.target.id}`} data-target={q.target.id}>
            <p>
              <b>{a(`kind_${q.target.kind}`)}</b> {a('by', { handle: q.target.ownerHandle })} · {a('reportsN', { n: q.reports })}
            </p>
            {q.target.preview && <p className="muted">“{q.target.preview}”</p>}
            <p>
              {Object.entries(q.reasons)
                .map(([r, n]) => `${reasonLabel(r)} × ${n}`)
                .join(', ')}
            </p>
            {q.notes.map((n, i) => (
              <p key={i} className="muted">
                — {n}
              </p>
            ))}
            {vocabulary && (
              <ActForm
                entry={q}
                vocabulary={vocabulary}
                realm={realm}
                call={call}
                onDone={(action) => (setItems((xs) => xs!.filter((x) => x !== q)), setDone(a('done', { action: actionText(action) })))}
              />
            )}
          </li>
        ))}
      </ul>
      <Appeals realm={realm} call={call} />
    </>
  );
}
