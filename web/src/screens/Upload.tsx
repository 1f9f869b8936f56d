import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Upload as Tus } from 'tus-js-client';
import { api, get } from '../api.ts';
import { t } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.ts';
import { CaptionField } from './studio/CaptionField.tsx';
import { SoundPicker, type ChosenSound } from './studio/SoundPicker.tsx';
import { Trim, trimOption, type TrimRange } from './studio/Trim.tsx';
import type { Duet } from '../studio-link.ts';

// The studio: pick or drop a file, preview and trim it, choose its sound (or
// arrive from a sound page / a video's duet menu: /upload?sound=…, ?duet=…),
// then the tus upload (resumable: tus-js-client keeps each file's upload URL in
// localStorage, so picking the same file after a drop or a reload continues
// from the server's offset), the media pipeline's state until ready, and the
// post with its caption and settings. Trim, sound and duet are upload options
// (src/media/options.ts): the server applies them in the one encode.

function fromLink(): { sound: ChosenSound | null; duet: Duet | null } {
  const q = new URLSearchParams(location.search);
  const id = q.get('sound');
  const duet = q.get('duet');
  return {
    sound: id ? { id, realm: q.get('soundRealm') ?? undefined, title: q.get('soundTitle') ?? id, mode: 'replace' } : null,
    duet: duet ? { videoId: duet, realm: q.get('duetRealm') ?? undefined, handle: q.get('duetHandle') ?? '' } : null,
  };
}

type Phase =
  | { k: 'pick' }
  | { k: 'edit'; file: File }
  | { k: 'uploading' }
  | { k: 'processing'; progress: number }
  | { k: 'posted'; postId: string }
  | { k: 'failed'; message: string };
const mb = (b: number) => (b > 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.round(b / 1e3)} KB`);
const secs = (s: number) => (s > 90 ? `${Math.ceil(s / 60)} min` : `${Math.max(0, Math.ceil(s))} s`);

export default function Upload() {
  const { me, ready } = useSession();
  const [phase, setPhase] = useState<Phase>({ k: 'pick' });
  const [pct, setPct] = useState(0);
  const [rate, setRate] = useState('');
  const [resumed, setResumed] = useState<number | null>(null);
  const [linked] = useState(fromLink);
  const [sound, setSound] = useState<ChosenSound | null>(linked.sound);
  const [duet, setDuet] = useState<Duet | null>(linked.duet);
  const [mute, setMute] = useState(false);
  const [trim, setTrim] = useState<TrimRange>({ start: 0, end: null });
  const [form, setForm] = useState({ caption: '', audience: 'public', commentPolicy: 'everyone', duetPolicy: 'everyone', allowDownload: true });
  const formRef = useRef(form);
  formRef.current = form;
  const tus = useRef<Tus | null>(null);
  useEffect(() => () => void tus.current?.abort(), []);
  useEffect(() => {
    if (ready && !me) navigate('/login', true);
  }, [ready, me]);

  const finish = async (uploadId: string) => {
    for (;;) {
      const s = await get<{ state: string; progress: number; videoId: string | null; error: { message: string } | null }>(`/uploads/${uploadId}`).catch(
        (e: Error) => ({ state: 'error', progress: 0, videoId: null, error: { message: e.message } }),
      );
      if (s.state === 'failed' || s.state === 'error') return setPhase({ k: 'failed', message: s.error!.message });
      if (s.state === 'ready' && s.videoId) {
        try {
          const post = await api<{ id: string }>('POST', '/posts', { videoId: s.videoId, ...formRef.current });
          return setPhase({ k: 'posted', postId: post.id });
        } catch (e) {
          return setPhase({ k: 'failed', message: (e as Error).message });
        }
      }
      setPhase({ k: 'processing', progress: s.progress });
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  const start = async (file: File) => {
    setPhase({ k: 'uploading' });
    setPct(0);
    setResumed(null);
    const began = { at: performance.now(), bytes: 0 };
    const up = new Tus(file, {
      endpoint: '/api/v1/uploads/tus',
      chunkSize: 256 * 1024, // small chunks: progress is real and a drop loses little
      retryDelays: [0, 1000, 3000],
      metadata: { filename: file.name, filetype: file.type, options: JSON.stringify(options()) },
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => {
        setPct(Math.floor((sent / total) * 100));
        const dt = (performance.now() - began.at) / 1000;
        const speed = (sent - began.bytes) / Math.max(dt, 0.001);
        if (dt > 0.2) setRate(t('speed', { speed: mb(speed), left: secs((total - sent) / Math.max(speed, 1)) }));
      },
      onError: (e) => setPhase({ k: 'failed', message: tusMessage(e) }),
      onSuccess: () => {
        setPct(100);
        void finish(up.url!.split('/').pop()!);
      },
    });
    tus.current = up;
    const previous = await up.findPreviousUploads();
    const prev = previous[0];
    if (prev?.uploadUrl) {
      up.resumeFromPreviousUpload(prev);
      // ask the server how much it already has, to say where we resume from
      const head = await fetch(prev.uploadUrl, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } }).catch(() => null);
      const offset = Number(head?.headers.get('upload-offset') ?? 0);
      if (offset > 0) {
        setResumed(Math.floor((offset / file.size) * 100));
        began.bytes = offset;
      }
    }
    up.start();
  };

  const options = () => ({
    ...(trimOption(trim) ? { trim: trimOption(trim) } : {}),
    ...(mute ? { mute: true } : {}),
    ...(sound
      ? {
          sound: {
            id: sound.id,
            ...(sound.realm ? { realm: sound.realm } : {}),
            mode: sound.mode,
            ...(sound.mode === 'mix' ? { volume: sound.volume ?? 1, originalVolume: sound.originalVolume ?? 1 } : {}),
          },
        }
      : {}),
    ...(duet ? { duetOf: { videoId: duet.videoId, ...(duet.realm ? { realm: duet.realm } : {}) } } : {}),
    allowDuet: form.duetPolicy !== 'no_one',
  });
  const pick = (files: FileList | null) => {
    if (!files?.[0]) return;
    setTrim({ start: 0, end: null });
    setPhase({ k: 'edit', file: files[0] });
  };
  const drop = (e: DragEvent) => (e.preventDefault(), pick(e.dataTransfer.files));
  const set = (k: keyof typeof form) => (e: { target: { value: string; checked?: boolean; type?: string } }) =>
    setForm({ ...form, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const policy = (k: 'commentPolicy' | 'duetPolicy', label: string) => (
    <label>
      {label}
      <select value={form[k]} onChange={set(k)}>
        <option value="everyone">{t('everyone')}</option>
        <option value="followers">{t('followers')}</option>
        <option value="no_one">{t('noOne')}</option>
      </select>
    </label>
  );
  return (
    <main className="page narrow">
      <h1>{t('upload')}</h1>
      {phase.k === 'pick' && (
        <label className="dropzone" onDragOver={(e) => e.preventDefault()} onDrop={drop}>
          {t('chooseFile')}
          <input type="file" accept="video/*" onChange={(e) => pick(e.target.files)} data-testid="file" />
        </label>
      )}
      {duet && (phase.k === 'pick' || phase.k === 'edit') && (
        <p className="realm-note row" data-testid="duet-with">
          <span className="grow">{t('duetWith', { handle: duet.handle })}</span>
          <button className="chip" onClick={() => setDuet(null)}>
            {t('cancel')}
          </button>
        </p>
      )}
      {phase.k === 'edit' && (
        <div className="form">
          <Trim file={phase.file} trim={trim} onChange={setTrim} />
          <div className="row">
            <button className="button secondary" onClick={() => setPhase({ k: 'pick' })}>
              {t('otherFile')}
            </button>
            <button className="button grow" onClick={() => void start(phase.file)}>
              {t('startUpload')}
            </button>
          </div>
        </div>
      )}
      {phase.k === 'uploading' && (
        <div className="progress-box">
          <progress max={100} value={pct} aria-label={t('uploading')} data-testid="upload-progress" />
          <p>
            {t('uploading')} <span data-testid="upload-pct">{pct}%</span> · {rate}
          </p>
          {resumed !== null && resumed > 0 && (
            <p className="muted" data-testid="resumed">
              {t('resumed', { pct: resumed })}
            </p>
          )}
        </div>
      )}
      {phase.k === 'processing' && (
        <div className="progress-box" data-testid="processing">
          <progress max={100} value={phase.progress} aria-label={t('processing')} />
          <p>{t('processing')}</p>
        </div>
      )}
      {phase.k === 'posted' && (
        <div className="progress-box" data-testid="posted">
          <p>{t('ready')}</p>
          <Link to={`/watch/${phase.postId}`} className="button">
            {t('viewPost')}
          </Link>
        </div>
      )}
      {phase.k === 'failed' && (
        <div className="progress-box">
          <p className="error" role="alert" data-testid="upload-error">
            {phase.message}
          </p>
          <button className="button" onClick={() => setPhase({ k: 'pick' })}>
            {t('retry')}
          </button>
        </div>
      )}
      {(phase.k === 'pick' || phase.k === 'edit') && !duet && (
        <div className="form">
          <SoundPicker sound={sound} onChange={setSound} />
          {!sound && (
            <label className="check">
              <input type="checkbox" checked={mute} onChange={(e) => setMute(e.target.checked)} />
              {t('muteOriginal')}
            </label>
          )}
        </div>
      )}
      {(phase.k === 'pick' || phase.k === 'edit' || phase.k === 'uploading' || phase.k === 'processing') && (
        <div className="form">
          <CaptionField value={form.caption} onChange={(caption) => setForm((f) => ({ ...f, caption }))} />
          <label>
            {t('audience')}
            <select value={form.audience} onChange={set('audience')} name="audience">
              <option value="public">{t('public')}</option>
              <option value="followers">{t('followers')}</option>
              <option value="private">{t('private')}</option>
            </select>
          </label>
          {policy('commentPolicy', t('whoComment'))}
          {policy('duetPolicy', t('whoDuet'))}
          <label className="check">
            <input type="checkbox" checked={form.allowDownload} onChange={set('allowDownload')} />
            {t('allowDownload')}
          </label>
        </div>
      )}
    </main>
  );
}

function tusMessage(e: Error): string {
  // tus-js-client wraps the server's JSON body in its message; show the sentence inside
  const m = /response text: (\{.*\})/s.exec(e.message);
  if (m) {
    try {
      return JSON.parse(m[1]!).error.message;
    } catch {
      /* fall through */
    }
  }
  return navigator.onLine ? e.message : t('offline');
}
