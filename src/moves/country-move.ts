import type { Reelm } from '../context.ts';
import { findActiveMove, movePerson, runMove, type MoveReport } from './move.ts';

// Moving a country (after a policy change maps it to another realm): every person of that country
// living elsewhere is moved, one at a time, each move resumable on its own; run again after a crash,
// it finishes the moves in progress and goes on with the rest. The final audit counts the people of
// that country left in any other realm, which must be zero.

export interface CountryMoveReport {
  country: string;
  to: string;
  moved: number;
  failed: { userId: string; error: string }[];
  /** realm → people of the country still living there (the audit) */
  leftBehind: Record<string, number>;
}

export async function peopleOfCountryElsewhere(reelm: Reelm, country: string, to: string): Promise<{ realm: string; userId: string }[]> {
  const out: { realm: string; userId: string }[] = [];
  for (const store of reelm.realms.all()) {
    if (store.name === to) continue;
    const rows = await store.db.selectFrom('users').select('id').where('country', '=', country).orderBy('id').execute();
    for (const r of rows) out.push({ realm: store.name, userId: r.id });
  }
  return out;
}

export async function moveCountry(
  reelm: Reelm,
  countryCode: string,
  opts: { onProgress?: (done: number, total: number, last?: MoveReport) => void } = {},
): Promise<CountryMoveReport> {
  const country = countryCode.toUpperCase();
  const to = reelm.policy.homeRealmFor(country);
  if (!to) throw new Error(`"${countryCode}" is not a country the policy knows`);
  const people = await peopleOfCountryElsewhere(reelm, country, to);
  const failed: CountryMoveReport['failed'] = [];
  let moved = 0;
  opts.onProgress?.(0, people.length);
  for (const p of people) {
    try {
      const active = await findActiveMove(reelm, p.userId);
      const report = active ? await runMove(reelm, active.move) : await movePerson(reelm, { person: p.userId, to, requestedBy: `country:${country}` });
      moved++;
      opts.onProgress?.(moved + failed.length, people.length, report);
    } catch (err) {
      failed.push({ userId: p.userId, error: (err as Error).message });
      opts.onProgress?.(moved + failed.length, people.length);
    }
  }
  const leftBehind: Record<string, number> = {};
  for (const p of await peopleOfCountryElsewhere(reelm, country, to)) leftBehind[p.realm] = (leftBehind[p.realm] ?? 0) + 1;
  return { country, to, moved, failed, leftBehind };
}
