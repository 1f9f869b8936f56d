import type { Kysely } from 'kysely';
import type { Reelm } from '../context.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmTransactor } from '../realm/transactor.ts';

// Blocks: the hooks by which the part that stores blocks (social) and the parts
// that must honour them (graph cuts follow edges, media-serving refuses links)
// meet without importing each other.
//  • block events — social tells every module's `onBlock` listener of a new
//    block, inside the transaction that stores it: in the blocker's realm
//    (side `blocker`) and, when social.block arrives, in the blocked person's
//    realm (side `blocked`). A listener only stores, like an engagement listener.
//  • blocked accounts — the module that keeps blocks (social) answers, for a
//    resident of a realm, whom they must not see or be seen by (`blockedAccounts`).

export interface BlockEvent {
  readonly blockerId: string;
  readonly blocked: { readonly id: string; readonly realm: string };
}

/** Runs in `tx` (the realm of `side`'s person); true when it changed anything there. */
export type BlockListener = (tx: RealmTransactor, side: 'blocker' | 'blocked', event: BlockEvent) => Promise<boolean>;

/** Ids of the accounts a resident blocked or was blocked by, as their home realm knows it. */
export type BlockedAccounts = (db: Kysely<RealmDatabase>, residentId: string) => Promise<Set<string>>;

/** Tells every module's `onBlock` listener, in module order, inside `tx`. True when any changed something. */
export async function emitBlock(tx: RealmTransactor, side: 'blocker' | 'blocked', event: BlockEvent): Promise<boolean> {
  let changed = false;
  for (const listener of tx.store.schema.blockListeners) changed = (await listener(tx, side, event)) || changed;
  return changed;
}

/** Whom a resident of `realm` blocked or was blocked by (empty when no module keeps blocks). */
export async function blockedAccounts(reelm: Reelm, realm: string, residentId: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const answer of reelm.composition.blockedAccounts) for (const id of await answer(reelm.realms.get(realm).db, residentId)) out.add(id);
  return out;
}
