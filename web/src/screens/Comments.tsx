import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { api, get, type Entity, type Page, type Post } from '../api.ts';
import { ago, t } from '../i18n.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.ts';
import { RichText } from '../text.tsx';

const Report = lazy(() => import('./Report.tsx'));

interface Comment {
  id: string;
  parentId: string | null;
  author: { handle: string; displayName: string };
  body: string;
  entities: Entity[];
  likeCount: number;
  replyCount: number;
  pinned: boolean;
  likedByMe: boolean;
  createdAt: string;
}

function Thread({ post, parentId, onReply }: { post: Post; parentId?: string; onReply?: (c: Comment) => void }) {
  const { me } = useSession();
  const [items, setItems] = useState<Comment[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openReplies, setOpenReplies] = useState<Record<string, boolean>>({});
  const [reporting, setReporting] = useState<string | null>(null);
  const base = `/posts/${post.id}/comments?limit=20${parentId ? `&parentId=${parentId}` : ''}`;
  const more = (c: string | null, reset = false) =>
    get<Page<Comment>>(`${base}${c ? `&cursor=${encodeURIComponent(c)}` : ''}`).then(
      (p) => (setItems((xs) => (reset ? p.items : [...xs, ...p.items])), setCursor(p.nextCursor)),
      (e: Error) => setError(e.message),
    );
  useEffect(() => void more(null, true), [base]);
  useEffect(() => {
    // a new comment appears at once: one on a video in another realm reaches its list by a flow, later
    const on = (e: Event) => {
      const d = (e as CustomEvent<{ key: string; comment: Comment }>).detail;
      if (d.key === (parentId ?? post.id)) setItems((xs) => [d.comment, ...xs.filter((x) => x.id !== d.comment.id)]);
    };
    addEventListener('reelm:comments', on);
    return () => removeEventListener('reelm:comments', on);
  });
  const like = async (c: Comment) => {
    try {
      await api(c.likedByMe ? 'DELETE' : 'PUT', `/posts/${post.id}/comments/${c.id}/like`);
      setItems((xs) => xs.map((x) => (x.id === c.id ? { ...x, likedByMe: !c.likedByMe, likeCount: x.likeCount + (c.likedByMe ? -1 : 1) } : x)));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const pin = async (c: Comment) => {
    try {
      await api(c.pinned ? 'DELETE' : 'PUT', `/posts/${post.id}/comments/${c.id}/pin`);
      // one pinned comment per video: pinning this one unpins the other, and it moves to the top
      setItems((xs) => {
        const next = xs.map((x) => ({ ...x, pinned: x.id === c.id ? !c.pinned : c.pinned ? x.pinned : false }));
        return [...next.filter((x) => x.pinned), ...next.filter((x) => !x.pinned)];
      });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async (c: Comment) => {
    try {
      await api('DELETE', `/comments/${c.id}`);
      setItems((xs) => xs.filter((x) => x.id !== c.id));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (!parentId && items.length === 0 && !error) return <p className="muted">{t('noComments')}</p>;
  return (
    <>
      <ul className={parentId ? 'comments replies' : 'comments'}>
      {items.map((c) => (
        <li key={c.id} className="comment">
          <div>
            <Link to={`/@${c.author.handle}`} className="creator">
              @{c.author.handle}
            </Link>
            {c.pinned && <span className="pill">{t('pinned')}</span>}
            <time className="muted when" dateTime={c.createdAt} title={new Date(c.createdAt).toLocaleString()}>
              {ago(c.createdAt)}
            </time>
            <p>
              <RichText text={c.body} entities={c.entities} />
            </p>
            <div className="actions">
              {!parentId && onReply && <button onClick={() => onReply(c)}>{t('reply')}</button>}
              {!parentId && c.replyCount > 0 && <button onClick={() => setOpenReplies({ ...openReplies, [c.id]: !openReplies[c.id] })}>{t('replies', { n: c.replyCount })}</button>}
              {!parentId && me?.handle === post.author.handle && <button onClick={() => pin(c)}>{c.pinned ? t('unpin') : t('pin')}</button>}
              {(me?.handle === c.author.handle || me?.handle === post.author.handle) && <button onClick={() => remove(c)}>{t('delete')}</button>}
              {me && me.handle !== c.author.handle && (
                <button onClick={() => setReporting(c.id)} aria-label={`${t('report')}: @${c.author.handle}`}>
                  {t('report')}
                </button>
              )}
            </div>
            {openReplies[c.id] && <Thread post={post} parentId={c.id} />}
          </div>
          <div className="comment-like">
            <button onClick={() => like(c)} aria-pressed={c.likedByMe} aria-label={t('like')} className={c.likedByMe ? 'on' : ''}>
              <span aria-hidden>♥</span>
            </button>
            <small>{c.likeCount}</small>
          </div>
        </li>
      ))}
      {error && (
        <li className="error" role="alert">
          {error}
        </li>
      )}
      {cursor && (
        <li>
          <button onClick={() => more(cursor)}>{t('loadMore')}</button>
        </li>
      )}
      </ul>
      {reporting && (
        <Suspense fallback={null}>
          <Report target={{ kind: 'comment', id: reporting }} onClose={() => setReporting(null)} />
        </Suspense>
      )}
    </>
  );
}

export default function Comments({ post, onClose }: { post: Post; onClose(): void }) {
  const { me } = useSession();
  const [body, setBody] = useState('');
  const [replyTo, setReplyTo] = useState<Comment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // Escape closes the report dialog first when one is open over the sheet
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && !document.getElementById('report-title') && onClose();
    addEventListener('keydown', esc);
    return () => removeEventListener('keydown', esc);
  }, [onClose]);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const c = await api<Omit<Comment, 'author' | 'likeCount' | 'replyCount' | 'pinned' | 'likedByMe'>>('POST', `/posts/${post.id}/comments`, { body, parentId: replyTo?.id });
      setBody('');
      const comment: Comment = { ...c, author: { handle: me!.handle, displayName: me!.displayName }, likeCount: 0, replyCount: 0, pinned: false, likedByMe: false };
      dispatchEvent(new CustomEvent('reelm:comments', { detail: { key: replyTo?.id ?? post.id, postId: post.id, comment } }));
      setReplyTo(null);
    } catch (err) {
      setError((err as Error).message); // shown under the field it was written in; the text stays
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="sheet-backdrop" onClick={onClose}>
      <div className="sheet" role="dialog" aria-modal="true" aria-label={t('comments')} onClick={(e) => e.stopPropagation()}>
        <header>
          <h2>{t('comments')}</h2>
          <button onClick={onClose} aria-label={t('close')}>
            ✕
          </button>
        </header>
        <div className="sheet-body">
          <Thread post={post} onReply={setReplyTo} />
        </div>
        {me && (
          <form onSubmit={send} className="comment-form">
            {replyTo && (
              <p className="muted">
                {t('reply')} @{replyTo.author.handle} <button type="button" onClick={() => setReplyTo(null)} aria-label={t('close')}>✕</button>
              </p>
            )}
            <div className="row">
              <input aria-label={t('addComment')} placeholder={t('addComment')} value={body} onChange={(e) => setBody(e.target.value)} required maxLength={2200} />
              <button className="button" disabled={busy}>
                {t('send')}
              </button>
            </div>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
          </form>
        )}
      </div>
    </div>
  );
}
