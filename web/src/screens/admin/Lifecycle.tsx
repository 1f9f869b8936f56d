import { useState } from 'react';
import { messageOf } from '../../api.ts';
import type { StaffCall } from '../Admin.tsx';
import { a } from './strings.ts';

// A realm's lifecycle for administrators (POST /admin/realms/<realm>/lifecycle, the service
// `reelm realm suspend|resume|close` calls): suspend or resume at once; closing asks first,
// because it tells every resident and starts the download period. Purging stays with the CLI.

export function Lifecycle({ realm, state, call, onChanged }: { realm: string; state: string; call: StaffCall; onChanged(): void }) {
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (action: 'suspend' | 'resume' | 'close') => {
    setBusy(true);
    setError(null);
    try {
      await call('POST', `/admin/realms/${realm}/lifecycle`, { action, reason: reason.trim() || undefined });
      setConfirming(false);
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const canClose = state === 'open' || state === 'suspended';
  return (
    <div className="check-block">
      <h3>{a('lifecycle')}</h3>
      {canClose && (
        <label>
          {a('lifecycleReason')}
          <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
        </label>
      )}
      <p className="row wrap-left">
        {state === 'open' && (
          <button className="button secondary" disabled={busy} onClick={() => act('suspend')}>
            {a('suspend')}
          </button>
        )}
        {state === 'suspended' && (
          <button className="button secondary" disabled={busy} onClick={() => act('resume')}>
            {a('resume')}
          </button>
        )}
        {canClose && !confirming && (
          <button className="button secondary" disabled={busy} onClick={() => setConfirming(true)}>
            {a('closeRealm')}
          </button>
        )}
      </p>
      {confirming && (
        <div role="alertdialog" aria-labelledby={`close-${realm}`} className="card">
          <p id={`close-${realm}`}>{a('closeConfirm', { realm })}</p>
          <p className="row wrap-left">
            <button className="button" disabled={busy} onClick={() => act('close')}>
              {a('closeYes', { realm })}
            </button>
            <button className="button secondary" onClick={() => setConfirming(false)}>
              {a('cancel')}
            </button>
          </p>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
