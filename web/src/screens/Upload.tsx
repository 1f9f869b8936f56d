import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Upload as Tus } from 'tus-js-client';
import { api, get } from '../api.ts';
import { t } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.ts';

// The studio: tus upload (resumable: tus-js-client keeps each file's upload URL
// in localStorage, so picking the same file after a drop or a reload continues
// from the server's offset), then the media pipeline's state until ready, then
// the post with its caption and settings.

type Phase = { k: 'pick' } | { k: 'uploading' } | { k: 'processing'; progress: number } | { k: 'posted'; postId: string } | { k: 'failed'; message: string };
const mb = (b: number) => (b > 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.round(b / 1e3)} KB`);
const secs = (s: number) => (s > 90 ? `${Math.ceil(s / 60)} min` : `${Math.max(0, Math.ceil(s))} s`);

export default function Upload() {
  const { me, ready } = useSession();
  const [phase, setPhase] = useState<Phase>({ k: 'pick' });
  const [pct, setPct] = useState(0);
  const [rate, setRate] = useState('');
  const [resumed, setResumed] = useState<number | null>(null);
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
      metadata: { filename: file.name, filetype: file.type, options: '{}' },
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

  const pick = (files: FileList | null) => files?.[0] && void start(files[0]);
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
      {phase.k === 'uploading' && (
        <div className="progress-box">
          <progress max={100} value={pct} aria-label={t('uploading')} data-testid="upload-progress" />
          <p>
            {t('uploading')} <span data-testid="upload-pct">{pct}%</span> · {rate}
          </p>
          {resumed !== null && resumed > 0 && <p className="muted" data-testid="resumed">{t('resumed', { pct: resumed })}</p>}
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
      {(phase.k === 'pick' || phase.k === 'uploading' || phase.k === 'processing') && (
        <div className="form">
          <label>
            {t('caption')}
            <textarea value={form.caption} onChange={set('caption')} maxLength={2200} rows={3} name="caption" />
          </label>
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
