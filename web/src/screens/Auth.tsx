import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, get, type HomeRealm } from '../api.ts';
import { t, useLang } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.ts';

export const CODES =
  'AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BR BS BT BW BY BZ CA CD CF CG CH CI CK CL CM CN CO CR CU CV CW CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FM FO FR GA GB GD GE GF GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MT MU MV MW MX MY MZ NA NC NE NG NI NL NO NP NR NZ OM PA PE PF PG PH PK PL PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TW TZ UA UG US UY UZ VA VC VE VG VI VN VU WS YE YT ZA ZM ZW'.split(' ');

export function Auth({ mode }: { mode: 'signup' | 'login' }) {
  const lang = useLang();
  const { refresh } = useSession();
  const [f, setF] = useState({ handle: '', email: '', password: '', birthDate: '', country: '', displayName: '', login: '' });
  const [realm, setRealm] = useState<HomeRealm | null>(null);
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const names = useMemo(() => new Intl.DisplayNames([lang], { type: 'region' }), [lang]);
  const countries = useMemo(() => CODES.map((c) => [c, names.of(c) ?? c] as const).sort((a, b) => a[1].localeCompare(b[1], lang)), [names, lang]);
  useEffect(() => {
    setRealm(null);
    if (f.country) get<HomeRealm>(`/realms/home?country=${f.country}`).then(setRealm, (e: Error) => setError({ field: 'country', message: e.message }));
  }, [f.country]);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'signup') {
        const { login: _l, ...body } = f;
        await api('POST', '/accounts', { ...body, displayName: f.displayName || undefined });
      } else await api('POST', '/sessions', { login: f.login, password: f.password });
      await refresh();
      navigate('/', true);
    } catch (err) {
      const m = (err as Error).message;
      // the server's sentence names the field it is about ("handle: …", "That email …")
      const field = ['handle', 'email', 'password', 'birthDate', 'country'].find((k) => m.toLowerCase().includes(k.toLowerCase()));
      setError({ field, message: m });
    } finally {
      setBusy(false);
    }
  };
  const err = (field: string) =>
    error?.field === field && (
      <p className="error" role="alert" id={`${field}-error`}>
        {error.message}
      </p>
    );
  const input = (k: keyof typeof f, label: string, type = 'text', auto?: string) => (
    <label>
      {label}
      <input type={type} value={f[k]} onChange={set(k)} required={k !== 'displayName'} autoComplete={auto} aria-invalid={error?.field === k} name={k} />
      {err(k)}
    </label>
  );
  return (
    <main className="page narrow">
      <h1>{mode === 'signup' ? t('signUp') : t('logIn')}</h1>
      {location.search.includes('deleted=1') && (
        <p className="ok" role="status">
          {t('accountDeleted')}
        </p>
      )}
      <form onSubmit={submit} className="form">
        {mode === 'login' ? (
          input('login', t('login'), 'text', 'username')
        ) : (
          <>
            <label>
              {t('country')}
              <select value={f.country} onChange={set('country')} required name="country">
                <option value="">—</option>
                {countries.map(([c, n]) => (
                  <option key={c} value={c}>
                    {n}
                  </option>
                ))}
              </select>
              {err('country')}
            </label>
            {realm && (
              <p className="realm-note" data-testid="home-realm">
                {t('homeRealmSentence', { realm: realm.displayName, operator: realm.operator, country: realm.countryName })}
              </p>
            )}
            {input('handle', t('handle'), 'text', 'username')}
            {input('displayName', t('displayName'), 'text', 'name')}
            {input('email', t('email'), 'email', 'email')}
            {input('birthDate', t('birthDate'), 'date', 'bday')}
          </>
        )}
        {input('password', t('password'), 'password', mode === 'signup' ? 'new-password' : 'current-password')}
        {error && !error.field && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
        <button type="submit" className="button" disabled={busy}>
          {mode === 'signup' ? t('createAccount') : t('logIn')}
        </button>
      </form>
      <Link to={mode === 'signup' ? '/login' : '/signup'}>{mode === 'signup' ? t('haveAccount') : t('noAccount')}</Link>
    </main>
  );
}
