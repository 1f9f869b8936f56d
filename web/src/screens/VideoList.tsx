import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { api, ApiError, type Post } from '../api.ts';
import { labelText, t } from '../i18n.ts';
import { attachSource } from '../media.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.ts';
import { compact, RichText } from '../text.tsx';
import { recordWatch } from '../watch-events.ts';
import { Icon } from '../icons.tsx';
import { studioLink } from '../studio-link.ts';

const Comments = lazy(() => import('./Comments.tsx'));
const Report = lazy(() => import('./Report.tsx'));

// The vertical pager: one full-screen slide per video, CSS scroll-snap does the
// paging; wheel and arrow keys move one slide. Only the active slide plays; the
// next two get their src with preload=auto so they start at once.

const soundOn = () => localStorage.getItem('reelm.sound') === 'on';

export function VideoList({ posts, onHide, onNearEnd, followsAll = false }: { posts: Post[]; onHide?: (id: string) => void; onNearEnd?: () => void; followsAll?: boolean }) {
  const [active, setActive] = useState(0);
  const [muted, setMuted] = useState(!soundOn());
  const [sheet, setSheet] = useState<Post | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = ref.current!;
    const io = new IntersectionObserver(
      (entries) => entries.forEach((e) => e.isIntersecting && setActive(Number((e.target as HTMLElement).dataset.index))),
      { root, threshold: 0.6 },
    );
    root.querySelectorAll('.slide').forEach((s) => io.observe(s));
    return () => io.disconnect();
  }, [posts]);
  useEffect(() => {
    if (active >= posts.length - 3) onNearEnd?.();
  }, [active, posts.length, onNearEnd]);
  const go = (d: number) => ref.current?.scrollBy({ top: d * ref.current.clientHeight, behavior: 'smooth' });
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea, [role=dialog]')) return;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'ArrowDown' || e.key === 'PageDown' || e.key === 'j') (e.preventDefault(), go(1));
      if (e.key === 'ArrowUp' || e.key === 'PageUp' || e.key === 'k') (e.preventDefault(), go(-1));
    };
    addEventListener('keydown', key);
    return () => removeEventListener('keydown', key);
  }, []);
  const unmute = () => {
    localStorage.setItem('reelm.sound', 'on');
    setMuted(false);
  };
  return (
    <>
      <div className="pager" ref={ref} data-testid="pager">
        {posts.map((p, i) => (
          <Slide key={p.id} post={p} index={i} active={i === active} load={i >= active - 1 && i <= active + 2} muted={muted} onUnmute={unmute} onComments={() => setSheet(p)} onHide={onHide} follows={followsAll} />
        ))}
      </div>
      {sheet && (
        <Suspense fallback={null}>
          <Comments post={sheet} onClose={() => setSheet(null)} />
        </Suspense>
      )}
    </>
  );
}

function Slide(props: { post: Post; index: number; active: boolean; load: boolean; muted: boolean; onUnmute(): void; onComments(): void; onHide?: (id: string) => void; follows: boolean }) {
  const { post, active, load, muted } = props;
  const { me } = useSession();
  const video = useRef<HTMLVideoElement>(null);
  const [paused, setPaused] = useState(false);
  const [liked, setLiked] = useState(post.viewer?.liked ?? false);
  const [saved, setSaved] = useState(post.viewer?.favorited ?? false);
  const [likes, setLikes] = useState(post.counts.likes);
  const [comments, setComments] = useState(post.counts.comments);
  useEffect(() => {
    const on = (e: Event) => (e as CustomEvent<{ postId: string }>).detail.postId === post.id && setComments((n) => n + 1);
    addEventListener('reelm:comments', on);
    return () => removeEventListener('reelm:comments', on);
  }, [post.id]);
  const [following, setFollowing] = useState(props.follows || (post.viewer?.following ?? false)); // the Following feed only has people you follow; For You items say it
  const [toast, setToast] = useState<string | null>(null);
  const [heart, setHeart] = useState(0);
  const [menu, setMenu] = useState(false);
  const [reporting, setReporting] = useState(false);
  const [askShare, setAskShare] = useState(false);
  const stats = useRef({ startedAt: 0, watchedMs: 0, last: 0, replays: 0, completed: false });
  const tapTimer = useRef<number | null>(null);
  const say = (s: string) => (setToast(s), setTimeout(() => setToast(null), 2500));
  const fail = (e: unknown) => say(e instanceof ApiError ? e.message : String(e));
  const needLogin = () => (me ? false : (navigate('/login'), true));

  useEffect(() => {
    const v = video.current;
    if (!v || !load || !post.playUrl) return;
    let detach = () => {};
    void attachSource(v, post.playUrl).then((d) => (detach = d));
    return () => detach();
  }, [load, post.playUrl]);

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    v.muted = muted;
    if (active) {
      stats.current = { startedAt: Date.now(), watchedMs: 0, last: v.currentTime, replays: 0, completed: false };
      v.play().then(() => setPaused(false), () => setPaused(true));
      return () => {
        v.pause();
        recordWatch({ videoId: post.id, durationMs: post.durationMs, ...stats.current });
      };
    }
  }, [active, muted, post.id, post.durationMs]);

  const onTime = () => {
    const v = video.current;
    if (!v) return; // unmounting
    const s = stats.current;
    const d = v.currentTime - s.last;
    if (d > 0 && d < 1.5) s.watchedMs += d * 1000;
    if (d < -0.5) s.replays++, (s.completed = true); // looped back to the start
    s.last = v.currentTime;
  };

  const like = async (to = !liked) => {
    if (needLogin() || to === liked) return;
    setLiked(to);
    setLikes((n) => n + (to ? 1 : -1));
    try {
      await api(to ? 'PUT' : 'DELETE', `/posts/${post.id}/like`);
    } catch (e) {
      setLiked(!to);
      setLikes((n) => n - (to ? 1 : -1));
      fail(e);
    }
  };
  const tap = () => {
    if (tapTimer.current) {
      clearTimeout(tapTimer.current);
      tapTimer.current = null;
      setHeart((h) => h + 1);
      return void like(true);
    }
    tapTimer.current = window.setTimeout(() => {
      tapTimer.current = null;
      const v = video.current;
      if (!v) return;
      if (muted) return props.onUnmute();
      if (v.paused) v.play().then(() => setPaused(false), () => {});
      else (v.pause(), setPaused(true));
    }, 250);
  };
  const follow = async () => {
    if (needLogin()) return;
    try {
      await api(following ? 'DELETE' : 'POST', `/users/${post.author.handle}/follow`);
      setFollowing(!following);
    } catch (e) {
      fail(e);
    }
  };
  const [pinned, setPinned] = useState(!!post.pinned);
  const togglePin = async () => {
    setMenu(false);
    try {
      setPinned((await api<Post>(pinned ? 'DELETE' : 'PUT', `/posts/${post.id}/pin`)).pinned === true);
      say(t(pinned ? 'unpinned' : 'pinnedToProfile'));
    } catch (e) {
      fail(e);
    }
  };
  const save = async () => {
    if (needLogin()) return;
    try {
      await api(saved ? 'DELETE' : 'PUT', `/posts/${post.id}/favorite`, saved ? undefined : {});
      setSaved(!saved);
    } catch (e) {
      fail(e);
    }
  };
  const share = async (confirmed = false) => {
    // an unverified video: the person is asked first (sharePrompt, docs/MODERATION.md)
    if (post.sharePrompt && !confirmed) return setAskShare(true);
    setAskShare(false);
    let url = `${location.origin}/v/${post.id}`;
    try {
      url = (await api<{ shareUrl: string }>('POST', `/posts/${post.id}/shares`, { channel: 'link' })).shareUrl;
    } catch {
      /* logged out: the link still works */
    }
    await navigator.clipboard?.writeText(url).catch(() => {});
    say(`${t('linkCopied')}: ${url}`);
  };
  const notInterested = async () => {
    if (needLogin()) return;
    try {
      await api('POST', '/feed/feedback', { kind: 'video', id: post.id }); // stored before it is hidden: a 2xx means it holds
      say(t('hidden'));
      props.onHide?.(post.id);
    } catch (e) {
      fail(e);
    }
  };
  const why = async () => {
    if (post.why) return say(post.why.sentence); // For You items carry their reason
    try {
      const r = await api<{ reason?: string; sentence?: string; reasons?: string[] }>('GET', `/feed/why/${post.id}`);
      say(r.sentence ?? r.reason ?? r.reasons?.join(' ') ?? t('whyFallback', { handle: post.author.handle }));
    } catch {
      say(t('whyFallback', { handle: post.author.handle }));
    }
  };

  return (
    <section className="slide" data-index={props.index} data-post={post.id} aria-label={`@${post.author.handle}: ${post.caption.slice(0, 80)}`}>
      <video
        ref={video}
        className="player"
        poster={post.posterUrl ?? undefined}
        loop
        playsInline
        muted={muted}
        preload={load ? 'auto' : 'none'}
        onTimeUpdate={onTime}
        onClick={tap}
        aria-label={`@${post.author.handle}`}
      />
      {heart > 0 && <div key={heart} className="burst" aria-hidden>♥</div>}
      {muted && active && (
        <button className="unmute" onClick={props.onUnmute}>
          <Icon name="muted" size={16} /> {t('tapToUnmute')}
        </button>
      )}
      {paused && active && !muted && <div className="paused-icon" aria-hidden>▶</div>}
      <div className="overlay">
        {post.banner && (
          <p className="banner" data-testid="banner">
            ⓘ{' '}
            {post.banner.url ? (
              <a href={post.banner.url} target="_blank" rel="noopener noreferrer">
                {post.banner.text}
              </a>
            ) : (
              post.banner.text
            )}
          </p>
        )}
        {post.labels && post.labels.length > 0 && (
          <p className="labels" data-testid="labels">
            {post.labels.map((l) => (
              <span key={l} className="label-pill">
                {labelText(l)}
              </span>
            ))}
          </p>
        )}
        <div className="who">
          <Link to={`/@${post.author.handle}`} className="creator">
            @{post.author.handle}
          </Link>
          {me && me.handle !== post.author.handle && (
            <button className="chip" onClick={follow} aria-pressed={following}>
              {following ? t('unfollow') : t('follow')}
            </button>
          )}
        </div>
        <p className="caption">
          <RichText text={post.caption} entities={post.entities} />
        </p>
        {post.sound && (
          <Link to={`/sound/${post.sound.id}`} className="sound">
            ♪ {post.sound.title}
          </Link>
        )}
      </div>
      <div className="rail">
        <div>
          <button onClick={() => like()} aria-pressed={liked} aria-label={liked ? t('unlike') : t('like')} className={liked ? 'on' : ''}>
            <span aria-hidden>♥</span>
          </button>
          <small data-testid="like-count">{compact(likes)}</small>
        </div>
        <div>
          <button onClick={props.onComments} aria-label={t('comments')}>
            <Icon name="comment" size={28} />
          </button>
          <small>{compact(comments)}</small>
        </div>
        <button onClick={save} aria-pressed={saved} aria-label={saved ? t('unfavorite') : t('favorite')} className={saved ? 'on' : ''}>
          <span aria-hidden>★</span>
        </button>
        <div>
          <button onClick={() => share()} aria-label={t('share')}>
            <span aria-hidden>↗</span>
          </button>
          <small>{compact(post.counts.shares)}</small>
        </div>
        <button onClick={notInterested} aria-label={t('notInterested')}>
          <span aria-hidden>⊘</span>
        </button>
        <button onClick={why} aria-label={t('why')}>
          <span aria-hidden>?</span>
        </button>
        <button onClick={() => setMenu(!menu)} aria-label={t('more')} aria-haspopup="menu" aria-expanded={menu}>
          <span aria-hidden>⋯</span>
        </button>
      </div>
      {menu && (
        <div className="menu" role="menu" aria-label={t('more')} onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setMenu(false))}>
          {post.duetPolicy !== 'no_one' && (
            <button role="menuitem" autoFocus onClick={() => needLogin() || navigate(studioLink({ duet: { videoId: post.id, realm: post.realm, handle: post.author.handle } }))}>
              {t('duet')}
            </button>
          )}
          {post.sound && (
            <button role="menuitem" onClick={() => needLogin() || navigate(studioLink({ sound: { ...post.sound!, realm: post.realm } }))}>
              {t('useSound')}
            </button>
          )}
          <button role="menuitem" onClick={() => (setMenu(false), void share())}>
            {t('share')}
          </button>
          {me?.handle === post.author.handle && (
            <button role="menuitem" onClick={() => void togglePin()}>
              {t(pinned ? 'unpinFromProfile' : 'pinToProfile')}
            </button>
          )}
          {me?.handle !== post.author.handle && (
            <button role="menuitem" onClick={() => (setMenu(false), needLogin() || setReporting(true))}>
              {t('report')}
            </button>
          )}
        </div>
      )}
      {askShare && (
        <div className="menu confirm" role="alertdialog" aria-labelledby={`ask-${post.id}`} onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setAskShare(false))}>
          <p id={`ask-${post.id}`}>{t('shareUnverified')}</p>
          <button autoFocus onClick={() => void share(true)}>
            {t('shareAnyway')}
          </button>
          <button onClick={() => setAskShare(false)}>{t('cancel')}</button>
        </div>
      )}
      {reporting && (
        <Suspense fallback={null}>
          <Report target={{ kind: 'video', id: post.id }} onClose={() => setReporting(false)} />
        </Suspense>
      )}
      {toast && (
        <div className="toast" role="status">
          {toast}
        </div>
      )}
    </section>
  );
}
