import type { Entity } from './api.ts';
import { Link } from './router.tsx';

/** Caption or comment text with its hashtags and mentions as links (never HTML). */
export function RichText({ text, entities }: { text: string; entities: Entity[] }) {
  const out: React.ReactNode[] = [];
  let at = 0;
  for (const e of [...entities].sort((a, b) => a.start - b.start)) {
    if (e.start < at) continue;
    out.push(text.slice(at, e.start));
    const label = text.slice(e.start, e.end);
    out.push(
      e.type === 'hashtag' ? (
        <Link key={e.start} to={`/tag/${encodeURIComponent(e.tag!)}`} className="tag">
          {label}
        </Link>
      ) : (
        <Link key={e.start} to={`/@${e.handle}`} className="mention">
          {label}
        </Link>
      ),
    );
    at = e.end;
  }
  out.push(text.slice(at));
  return <>{out}</>;
}

export const compact = (n: number) => (n < 1000 ? String(n) : n < 1e6 ? `${(n / 1000).toFixed(n < 1e4 ? 1 : 0)}K` : `${(n / 1e6).toFixed(1)}M`);
