import { useEffect, useState, type FormEvent } from 'react';
import { api, get, messageOf } from '../../api.ts';
import { t } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.ts';
import { st } from '../safety-strings.ts';

// Settings → Privacy: private account, hide liked videos, keyword filters
// (PATCH /me/settings), follow requests waiting for a decision (approve /
// decline), and muted accounts. Every refusal is the server's sentence, next
// to the control that caused it.

interface Settings {
  isPrivate: boolean;
  hideLikes: boolean;
  keywordFilters: string[];
}
interface Request {
  handle: string;
  displayName: string;
  requestedAt: string;
}
type Note = { ok: boolean; text: string } | null;

function Note({ n }: { n: Note }) {
  return (
    n && (
      <p className={n.ok ? 'ok' : 'error'} role={n.ok ? 'status' : 'alert'}>
        {n.text}
      </p>
    )
  );
}

export function Privacy() {
  const { refresh } = useSession();
  const [s, setS] = useState<Settings | null>(null);
  const [switches, setSwitches] = useState<Note>(null);
  const [requests, setRequests] = useState<Request[] | null>(null);
  const [reqNote, setReqNote] = useState<Note>(null);
  const [mutes, setMutes] = useState<{ handle: string }[] | null>(null);
  const [muteNote, setMuteNote] = useState<Note>(null);
  const [word, setWord] = useState('');
  const [wordNote, setWordNote] = useState<Note>(null);
  useEffect(() => {
    get<Settings>('/me/settings').then(setS, (e) => setSwitches({ ok: false, text: messageOf(e) }));
    get<{ items: Request[] }>('/me/follow-requests').then(
      (r) => setRequests(r.items),
      (e) => setReqNote({ ok: false, text: messageOf(e) }),
    );
    get<{ items: { handle: string }[] }>('/me/mutes').then(
      (r) => setMutes(r.items),
      (e) => setMuteNote({ ok: false, text: messageOf(e) }),
    );
  }, []);
  if (!s) return <Note n={switches} />;

  const patch = async (body: Partial<Settings>, note: (n: Note) => void) => {
    const was = s;
    if (!body.keywordFilters) setS({ ...s, ...body }); // a switch moves at once, and back if refused; a word shows once stored
    try {
      setS(await api<Settings>('PATCH', '/me/settings', body));
      note({ ok: true, text: t('saved') });
      if ('isPrivate' in body) await refresh();
      return true;
    } catch (e) {
      setS(was);
      note({ ok: false, text: messageOf(e) });
      return false;
    }
  };
  const addWord = async (e: FormEvent) => {
    e.preventDefault();
    if (await patch({ keywordFilters: [...s.keywordFilters, word] }, setWordNote)) setWord('');
  };
  const decide = async (r: Request, verb: 'approve' | 'decline') => {
    try {
      await api('POST', `/me/follow-requests/${r.handle}/${verb}`);
      setRequests((xs) => xs!.filter((x) => x.handle !== r.handle));
      setReqNote({ ok: true, text: st(verb === 'approve' ? 'approved' : 'declined', { handle: r.handle }) });
      dispatchEvent(new Event('reelm:unread'));
    } catch (e) {
      setReqNote({ ok: false, text: messageOf(e) });
    }
  };
  const unmute = (handle: string) =>
    api('DELETE', `/mutes/${handle}`).then(
      () => setMutes((xs) => xs!.filter((x) => x.handle !== handle)),
      (e) => setMuteNote({ ok: false, text: messageOf(e) }),
    );

  return (
    <>
      <label className="check">
        <input type="checkbox" checked={s.isPrivate} onChange={(e) => patch({ isPrivate: e.target.checked }, setSwitches)} />
        {t('privateAccount')}
      </label>
      <p className="muted">{st('privateNote')}</p>
      <label className="check">
        <input type="checkbox" checked={s.hideLikes} onChange={(e) => patch({ hideLikes: e.target.checked }, setSwitches)} />
        {st('hideLikes')}
      </label>
      <Note n={switches} />

      <h3>
        {st('followRequests')}{' '}
        {requests && requests.length > 0 && (
          <span className="count-badge" data-testid="requests-badge" aria-label={st('waitingN', { n: requests.length })}>
            {requests.length}
          </span>
        )}
      </h3>
      {requests?.length === 0 && <p className="muted">{st('noRequests')}</p>}
      <ul className="sessions" data-testid="follow-requests">
        {requests?.map((r) => (
          <li key={r.handle}>
            <Link to={`/@${r.handle}`}>
              <b>{r.displayName}</b> <span className="muted">@{r.handle}</span>
            </Link>
            <span className="row">
              <button className="button" onClick={() => decide(r, 'approve')} aria-label={`${st('approve')} @${r.handle}`}>
                {st('approve')}
              </button>
              <button className="button secondary" onClick={() => decide(r, 'decline')} aria-label={`${st('decline')} @${r.handle}`}>
                {st('decline')}
              </button>
            </span>
          </li>
        ))}
      </ul>
      <Note n={reqNote} />

      <h3>{st('mutedAccounts')}</h3>
      {mutes?.length === 0 && <p className="muted">{st('noMuted')}</p>}
      <ul className="sessions" data-testid="mutes">
        {mutes?.map((m) => (
          <li key={m.handle}>
            <Link to={`/@${m.handle}`}>@{m.handle}</Link>
            <button className="button secondary" onClick={() => unmute(m.handle)} aria-label={`${st('unmute')} @${m.handle}`}>
              {st('unmute')}
            </button>
          </li>
        ))}
      </ul>
      <Note n={muteNote} />

      <h3>{st('keywordFilters')}</h3>
      <p className="muted">{st('keywordNote')}</p>
      <ul className="chips" data-testid="keywords">
        {s.keywordFilters.map((w) => (
          <li key={w} className="chip">
            {w}{' '}
            <button onClick={() => patch({ keywordFilters: s.keywordFilters.filter((x) => x !== w) }, setWordNote)} aria-label={`${st('remove')} ${w}`}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={addWord}>
        <input aria-label={st('addKeyword')} placeholder={st('addKeyword')} value={word} onChange={(e) => setWord(e.target.value)} required />
        <button className="button">{st('add')}</button>
      </form>
      <Note n={wordNote} />
    </>
  );
}
