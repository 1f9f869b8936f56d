import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { get } from '../../api.ts';
import { t, videoCount } from '../../i18n.ts';

// The caption with hashtag and @mention suggestions: the word being typed at
// the caret, when it starts with # or @, is looked up (GET /search, hashtags or
// accounts) and offered in a list; arrows move, Enter or Tab takes one, Escape
// closes. The textarea keeps focus throughout (aria-activedescendant).

interface Suggestion {
  insert: string;
  label: string;
  detail: string;
}

const WORD = /(^|\s)([#@])([\p{L}\p{N}_.]{1,30})$/u;

async function suggest(kind: '#' | '@', q: string): Promise<Suggestion[]> {
  if (kind === '#') {
    const r = await get<{ hashtags: { tag: string; videoCount: number }[] }>(`/search?type=hashtags&limit=6&q=${encodeURIComponent(q)}`);
    return r.hashtags.map((h) => ({ insert: `#${h.tag}`, label: `#${h.tag}`, detail: videoCount(h.videoCount) }));
  }
  const r = await get<{ accounts: { handle: string; displayName: string }[] }>(`/search?type=accounts&limit=6&q=${encodeURIComponent(q)}`);
  return r.accounts.map((a) => ({ insert: `@${a.handle}`, label: `@${a.handle}`, detail: a.displayName }));
}

export function CaptionField({ value, onChange }: { value: string; onChange(v: string): void }) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [at, setAt] = useState(0);
  const [word, setWord] = useState<{ start: number; end: number; kind: '#' | '@'; q: string } | null>(null);
  useEffect(() => {
    if (!word) return setItems([]);
    let live = true;
    const timer = setTimeout(
      () =>
        suggest(word.kind, word.q).then(
          (s) => live && (setItems(s), setAt(0)),
          () => live && setItems([]),
        ),
      150,
    );
    return () => ((live = false), clearTimeout(timer));
  }, [word?.kind, word?.q]);
  const look = (text: string, caret: number) => {
    const m = WORD.exec(text.slice(0, caret));
    setWord(m ? { start: caret - m[2]!.length - m[3]!.length, end: caret, kind: m[2] as '#' | '@', q: m[3]! } : null);
  };
  const take = (s: Suggestion) => {
    if (!word) return;
    const next = `${value.slice(0, word.start)}${s.insert} ${value.slice(word.end)}`;
    onChange(next);
    setWord(null);
    const caret = word.start + s.insert.length + 1;
    requestAnimationFrame(() => area.current?.setSelectionRange(caret, caret));
  };
  const key = (e: KeyboardEvent) => {
    if (!items.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setAt((i) => (i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      take(items[at]!);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setWord(null);
    }
  };
  const open = items.length > 0 && word !== null;
  return (
    <div className="suggest">
      <label>
        {t('caption')}
        <textarea
          ref={area}
          name="caption"
          rows={3}
          maxLength={2200}
          value={value}
          aria-autocomplete="list"
          aria-controls={`${id}-list`}
          aria-activedescendant={open ? `${id}-${at}` : undefined}
          onChange={(e) => (onChange(e.target.value), look(e.target.value, e.target.selectionStart))}
          onKeyDown={key}
          onBlur={() => setTimeout(() => setWord(null), 150)}
        />
      </label>
      <ul id={`${id}-list`} role="listbox" aria-label={t('suggestions')} className="suggestions" hidden={!open}>
        {open &&
          items.map((s, i) => (
            <li key={s.insert} id={`${id}-${i}`} role="option" aria-selected={i === at} onMouseDown={(e) => (e.preventDefault(), take(s))}>
              <b>{s.label}</b> <span className="muted">{s.detail}</span>
            </li>
          ))}
      </ul>
    </div>
  );
}
