import type { Post } from '../api.ts';
import { t } from '../i18n.ts';
import { Link } from '../router.tsx';
import { compact } from '../text.tsx';
import { Icon } from '../icons.tsx';

export function Grid({ posts }: { posts: Post[] }) {
  if (!posts.length) return <p className="muted center">{t('noVideos')}</p>;
  return (
    <ul className="grid">
      {posts.map((p) => (
        <li key={p.id}>
          <Link to={`/watch/${p.id}`}>
            {p.posterUrl ? <img src={p.posterUrl} alt={p.caption || `@${p.author.handle}`} loading="lazy" width={180} height={320} /> : <div className="poster-missing" role="img" aria-label={p.caption || `@${p.author.handle}`} />}
            <span className="views">▶ {compact(p.counts.views)}</span>
            {p.pinned && <span className="pinned-badge">{t('pinned')}</span>}
            {p.audience !== 'public' && <span className="lock" aria-label={t(p.audience === 'followers' ? 'followers' : 'private')}><Icon name="lock" size={14} /></span>}
          </Link>
        </li>
      ))}
    </ul>
  );
}
