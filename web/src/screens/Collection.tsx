import { useEffect, useState } from 'react';
import { get, type Post } from '../api.ts';
import { t, videoCount } from '../i18n.ts';
import { Grid } from './Grid.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.ts';
import { studioLink } from '../studio-link.ts';

// Hashtag and sound pages.
interface Res {
  items: Post[];
  tag?: string;
  videoCount?: number;
  sound?: { id: string; title: string; videoCount: number; use: { soundId: string; uploadOption: { sound: { id: string; realm?: string } } } };
}

export default function Collection({ kind, id }: { kind: 'tag' | 'sound'; id: string }) {
  const { me } = useSession();
  const [r, setR] = useState<Res | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void get<Res>(kind === 'tag' ? `/hashtags/${encodeURIComponent(id)}?limit=30` : `/sounds/${id}/videos?limit=30`).then(setR, (e: Error) => setError(e.message)), [kind, id]);
  if (error) return <main className="page center"><p className="error" role="alert">{error}</p></main>;
  if (!r) return <main className="page center">{t('loading')}</main>;
  return (
    <main className="page">
      <header className="profile-head">
        <h1>{kind === 'tag' ? `#${r.tag ?? id}` : `♪ ${r.sound?.title}`}</h1>
        <p className="muted">{videoCount(r.videoCount ?? r.sound?.videoCount ?? r.items.length)}</p>
        {r.sound && (
          <Link to={me ? studioLink({ sound: { ...r.sound.use.uploadOption.sound, title: r.sound.title } }) : '/signup'} className="button">
            {t('useSound')}
          </Link>
        )}
      </header>
      <Grid posts={r.items} />
    </main>
  );
}
