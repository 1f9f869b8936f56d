import { useEffect, useState } from 'react';
import { get, type Post } from '../api.ts';
import { t } from '../i18n.ts';
import { Link } from '../router.tsx';
import { VideoList } from './VideoList.tsx';

// /watch/<id>: where the share page /v/<id> sends people into the app.
export default function Watch({ id }: { id: string }) {
  const [post, setPost] = useState<Post | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void get<Post>(`/posts/${id}`).then(setPost, (e: Error) => setError(e.message)), [id]);
  if (error)
    return (
      <main className="page center">
        <p role="alert" className="error">
          {error}
        </p>
        <Link to="/">{t('goHome')}</Link>
      </main>
    );
  if (!post) return <main className="page center">{t('loading')}</main>;
  return (
    <main className="feed">
      <VideoList posts={[post]} />
    </main>
  );
}
