import { useState, type FormEvent } from 'react';
import { get } from '../../api.ts';
import { t, videoCount } from '../../i18n.ts';

// The studio's sound: keep the original, or search one (GET /search?type=sounds)
// or arrive with one from a sound page ("use this sound"); replace the video's
// audio with it or mix both at chosen levels. The server's upload option is
// `sound {id, realm?, mode, volume, originalVolume}` (src/media/options.ts).

export interface ChosenSound {
  id: string;
  realm?: string;
  title: string;
  mode: 'replace' | 'mix';
  /** mix levels, 0–100 % in the sliders, 0–1 on the wire */
  volume?: number;
  originalVolume?: number;
}

function Level({ label, value, onChange }: { label: string; value: number; onChange(v: number): void }) {
  return (
    <label className="row">
      <span className="grow">{label}</span>
      <input type="range" min={0} max={100} step={5} value={Math.round(value * 100)} onChange={(e) => onChange(Number(e.target.value) / 100)} />
      <output>{Math.round(value * 100)} %</output>
    </label>
  );
}

export function SoundPicker({ sound, onChange }: { sound: ChosenSound | null; onChange(s: ChosenSound | null): void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<{ id: string; title: string; videoCount: number }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const search = (e: FormEvent) => {
    e.preventDefault();
    if (!q.trim()) return;
    setError(null);
    get<{ sounds: { id: string; title: string; videoCount: number }[] }>(`/search?type=sounds&limit=8&q=${encodeURIComponent(q.trim())}`).then(
      (r) => setFound(r.sounds),
      (err: Error) => setError(err.message),
    );
  };
  return (
    <fieldset className="sound-picker">
      <legend>{t('sound')}</legend>
      {sound ? (
        <div className="row" data-testid="chosen-sound">
          <span className="grow">♪ {sound.title}</span>
          <button type="button" className="chip" onClick={() => onChange(null)}>
            {t('keepOriginal')}
          </button>
        </div>
      ) : (
        <p className="muted">{t('originalSound')}</p>
      )}
      {sound && (
        <label>
          {t('soundMode')}
          <select value={sound.mode} onChange={(e) => onChange({ ...sound, mode: e.target.value as ChosenSound['mode'] })}>
            <option value="replace">{t('soundReplace')}</option>
            <option value="mix">{t('soundMix')}</option>
          </select>
        </label>
      )}
      {sound?.mode === 'mix' && (
        <div data-testid="mix-levels">
          <Level label={t('addedSoundVolume')} value={sound.volume ?? 1} onChange={(volume) => onChange({ ...sound, volume })} />
          <Level label={t('originalVolume')} value={sound.originalVolume ?? 1} onChange={(originalVolume) => onChange({ ...sound, originalVolume })} />
        </div>
      )}
      <form className="row" role="search" onSubmit={search}>
        <input type="search" aria-label={t('searchSounds')} placeholder={t('searchSounds')} value={q} onChange={(e) => setQ(e.target.value)} />
        <button className="button secondary">{t('search')}</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {found && (
        <ul className="people">
          {found.length === 0 && <li className="muted">{t('noResults')}</li>}
          {found.map((s) => (
            <li key={s.id} className="row">
              <span className="grow">
                ♪ {s.title} <span className="muted">· {videoCount(s.videoCount)}</span>
              </span>
              <button type="button" className="chip" onClick={() => (onChange({ id: s.id, title: s.title, mode: sound?.mode ?? 'replace' }), setFound(null))}>
                {t('useSound')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
