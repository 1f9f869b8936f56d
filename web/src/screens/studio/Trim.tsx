import { useEffect, useRef, useState } from 'react';
import { t } from '../../i18n.ts';

// Trim on a timeline with a preview of the picked file (a blob: URL, never
// uploaded to preview): two handles, the preview loops inside the selection.
// The server applies `trim {start, end}` in the encode itself.

export interface TrimRange {
  start: number;
  end: number | null;
}

const s1 = (x: number) => `${x.toFixed(1)} s`;

export function Trim({ file, trim, onChange }: { file: File; trim: TrimRange; onChange(t: TrimRange): void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [duration, setDuration] = useState<number | null>(null);
  const [unreadable, setUnreadable] = useState(false);
  useEffect(() => {
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  const end = trim.end ?? duration ?? 0;
  const loop = (v: HTMLVideoElement) => {
    if (v.currentTime < trim.start || v.currentTime > end) v.currentTime = trim.start;
  };
  useEffect(() => {
    if (video.current && duration) video.current.currentTime = trim.start;
  }, [trim.start, duration]);
  return (
    <div className="trim">
      {url && (
        <video
          ref={video}
          className="preview"
          src={url}
          muted
          autoPlay
          loop
          playsInline
          aria-label={t('preview')}
          onLoadedMetadata={(e) => setDuration(e.currentTarget.duration)}
          onError={() => setUnreadable(true)}
          onTimeUpdate={(e) => loop(e.currentTarget)}
        />
      )}
      {unreadable && <p className="muted">{t('noPreview')}</p>}
      {duration !== null && Number.isFinite(duration) && (
        <fieldset>
          <legend>{t('trim')}</legend>
          <div className="timeline" aria-hidden>
            <span style={{ left: `${(trim.start / duration) * 100}%`, right: `${100 - (end / duration) * 100}%` }} />
          </div>
          <label>
            {t('trimStart')}: {s1(trim.start)}
            <input type="range" min={0} max={duration} step={0.1} value={trim.start} onChange={(e) => onChange({ ...trim, start: Math.min(Number(e.target.value), end - 0.5) })} />
          </label>
          <label>
            {t('trimEnd')}: {s1(end)}
            <input type="range" min={0} max={duration} step={0.1} value={end} onChange={(e) => onChange({ ...trim, end: Math.max(Number(e.target.value), trim.start + 0.5) })} />
          </label>
          <p className="muted" data-testid="trim-length">
            {t('trimLength', { s: s1(end - trim.start) })}
          </p>
        </fieldset>
      )}
    </div>
  );
}

/** The upload option, or nothing when the whole video is kept. */
export function trimOption(trim: TrimRange): { start: number; end?: number } | undefined {
  if (trim.start <= 0 && trim.end === null) return undefined;
  return { start: Math.max(0, Math.round(trim.start * 10) / 10), ...(trim.end !== null ? { end: Math.round(trim.end * 10) / 10 } : {}) };
}
