import { useEffect, useState } from 'react';
import { api, get } from '../api.ts';
import { t } from '../i18n.ts';
import { navigate } from '../router.tsx';
import { topicName } from './topic-strings.ts';

// The step right after sign-up (optional): topics that seed the first For You pages (docs/FEED.md, Cold start).

interface Topic {
  id: string;
  name: string;
  hashtags: string[];
}

export default function Interests() {
  const [topics, setTopics] = useState<Topic[] | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    get<{ topics: Topic[]; selected: string[] }>('/feed/interests').then(
      (r) => {
        setTopics(r.topics);
        setPicked(r.selected);
      },
      (e: Error) => setError(e.message),
    );
  }, []);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length < 8 ? [...p, id] : p));
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('PUT', '/feed/interests', { interests: picked });
      navigate('/', true);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <main className="page narrow">
      <h1>{t('interestsTitle')}</h1>
      <p>{t('interestsHint')}</p>
      {topics && (
        <ul className="chips" data-testid="topics">
          {topics.map((x) => (
            <li key={x.id}>
              <button
                type="button"
                className={picked.includes(x.id) ? 'button' : 'button secondary'}
                aria-pressed={picked.includes(x.id)}
                onClick={() => toggle(x.id)}
              >
                {topicName(x.id, x.name)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="form">
        <button type="button" className="button" disabled={busy || picked.length === 0} onClick={save}>
          {t('interestsSave')}
        </button>
        <button type="button" className="button secondary" onClick={() => navigate('/', true)}>
          {t('skip')}
        </button>
      </p>
    </main>
  );
}
