import type { Kysely, Transaction } from 'kysely';
import type { RealmDatabase } from '../realm/registry.ts';
import type { Audience } from './schema.ts';

// What the social layer needs from the moderation part (src/moderation): the
// audience cap and labels its moderators put on a video or on its creator's
// account, from `moderation_holds` in the creator's realm. A post is published
// with the narrower of the creator's audience and the cap (a removed video or a
// suspended account: private, so every other realm withdraws it, reach.ts), and
// with the labels. Read inside the publishing transaction (SQLite: one
// connection). Typed loosely, like media-port.ts: the table belongs to moderation.

export interface ModerationFacts {
  cap: Audience | null;
  labels: string[];
}

const RANK: Record<Audience, number> = { public: 2, followers: 1, private: 0 };

/** The narrower of two audiences. */
export function narrower(a: Audience, cap: Audience | null): Audience {
  return cap && RANK[cap] < RANK[a] ? cap : a;
}

export async function moderationOf(trx: Transaction<RealmDatabase>, videoId: string, ownerId: string): Promise<ModerationFacts> {
  const rows: { cap: Audience | null; labels: string }[] = await (trx as unknown as Kysely<any>)
    .selectFrom('moderation_holds')
    .select(['cap', 'labels'])
    .where((eb) =>
      eb.or([
        eb.and([eb('subject_kind', '=', 'video'), eb('subject_id', '=', videoId)]),
        eb.and([eb('subject_kind', '=', 'account'), eb('subject_id', '=', ownerId)]),
      ]),
    )
    .execute();
  let cap: Audience | null = null;
  const labels = new Set<string>();
  for (const r of rows) {
    if (r.cap) cap = narrower(cap ?? 'public', r.cap);
    for (const l of r.labels.split(' ')) if (l) labels.add(l);
  }
  return { cap, labels: [...labels].sort() };
}
