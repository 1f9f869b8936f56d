import { useEffect, useState } from 'react';
import { get } from './api.ts';
import { t } from './i18n.ts';

// The daily screen-time reminder (teen protection per country: the policy's
// default, 60 minutes unless the person chose otherwise in Settings › Privacy —
// `screenTime.dailyReminderMinutes` of /me/settings). The app counts the
// seconds it is on screen each local day on this device only (localStorage;
// nothing is sent) and reminds once that day when the count passes it.

const KEY = 'reelm.screenTime';
const TICK_S = 10;
interface Day {
  day: string;
  seconds: number;
  reminded: boolean;
}
const today = () => new Date().toLocaleDateString('sv'); // YYYY-MM-DD, local

function load(): Day {
  try {
    const d = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Day | null;
    if (d?.day === today()) return d;
  } catch {
    // unreadable: start the day again
  }
  return { day: today(), seconds: 0, reminded: false };
}

/** Settings tell the running app when the person changes their reminder. */
export const SCREEN_TIME_EVENT = 'reelm:screen-time';

export function ScreenTimeReminder({ signedIn }: { signedIn: boolean }) {
  const [limit, setLimit] = useState<number | null>(null);
  const [due, setDue] = useState<number | null>(null);
  useEffect(() => {
    if (!signedIn) return setLimit(null);
    get<{ screenTime: { dailyReminderMinutes: number } }>('/me/settings').then(
      (s) => setLimit(s.screenTime.dailyReminderMinutes),
      () => {},
    );
    const changed = (e: Event) => setLimit((e as CustomEvent<number>).detail);
    addEventListener(SCREEN_TIME_EVENT, changed);
    return () => removeEventListener(SCREEN_TIME_EVENT, changed);
  }, [signedIn]);
  useEffect(() => {
    if (!limit) return;
    const iv = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      const d = load();
      d.seconds += TICK_S;
      if (!d.reminded && d.seconds >= limit * 60) {
        d.reminded = true;
        setDue(Math.round(d.seconds / 60));
      }
      localStorage.setItem(KEY, JSON.stringify(d));
    }, TICK_S * 1000);
    return () => clearInterval(iv);
  }, [limit]);
  if (due === null) return null;
  return (
    <div className="menu confirm reminder" role="alertdialog" aria-labelledby="screen-time-text">
      <p id="screen-time-text">{t('screenTimeReminder', { n: due })}</p>
      <button autoFocus onClick={() => setDue(null)}>
        {t('gotIt')}
      </button>
    </div>
  );
}
