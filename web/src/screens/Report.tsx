import { useEffect, useState, type FormEvent } from 'react';
import { api, get, messageOf } from '../api.ts';
import { t } from '../i18n.ts';
import { st, reasonLabel } from './safety-strings.ts';

// "Report" on a video, a comment or a profile: a modal dialog with the reasons
// the API enumerates (GET /moderation/vocabulary) and an optional note. Lazy:
// the feed page does not carry it until someone reports.

export interface ReportTarget {
  kind: 'video' | 'comment' | 'account';
  id: string;
}

let vocabulary: Promise<{ reasons: string[] }> | null = null;

export default function Report({ target, onClose }: { target: ReportTarget; onClose(): void }) {
  const [reasons, setReasons] = useState<string[] | null>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    (vocabulary ??= get('/moderation/vocabulary')).then(
      (v) => setReasons(v.reasons),
      (e) => ((vocabulary = null), setError(messageOf(e))),
    );
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    addEventListener('keydown', esc);
    return () => removeEventListener('keydown', esc);
  }, [onClose]);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/reports', { target, reason, note: note.trim() || undefined });
      setDone(true);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <div className="sheet-backdrop" onClick={onClose}>
      <div className="sheet" role="dialog" aria-modal="true" aria-labelledby="report-title" onClick={(e) => e.stopPropagation()}>
        <header>
          <h2 id="report-title">{st(`report_${target.kind}`)}</h2>
          <button onClick={onClose} aria-label={t('close')}>
            ✕
          </button>
        </header>
        <div className="sheet-body">
          {done ? (
            <p className="ok" role="status">
              {st('reported')}
            </p>
          ) : (
            <form className="form" onSubmit={send}>
              {!reasons && !error && <p className="muted">{t('loading')}</p>}
              {reasons && (
                <fieldset>
                  <legend>{st('reportWhy')}</legend>
                  {reasons.map((r) => (
                    <label key={r} className="check">
                      <input type="radio" name="reason" value={r} checked={reason === r} onChange={() => setReason(r)} required />
                      {reasonLabel(r)}
                    </label>
                  ))}
                </fieldset>
              )}
              <label>
                {st('reportNote')}
                <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={1000} />
              </label>
              {error && (
                <p className="error" role="alert">
                  {error}
                </p>
              )}
              <button className="button" disabled={!reason}>
                {t('send')}
              </button>
            </form>
          )}
        </div>
      </div>
    </div>
  );
}
