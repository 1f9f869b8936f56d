import type { Transaction } from 'kysely';
import { emitFlow } from '../flows/outbox.ts';
import { checkFlowMessage } from '../flows/validate.ts';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';

// One way to say "this realm's change must reach realm X": when X is this
// realm the flow's receiver runs right here in the same transaction; otherwise
// the message goes to the outbox (src/flows) and is applied there exactly once.
// Either way the same declared, public-only payload and the same receiver
// code apply — a same-realm like and a cross-realm like behave identically.
// The flow table is the store's (assembled by the composition root), so this
// file imports only the flow machinery, never the table's receivers.

export async function relay(store: RealmStore, trx: Transaction<RealmDatabase>, to: string, flow: string, payload: Record<string, unknown>): Promise<void> {
  if (to === store.name) {
    const decl = checkFlowMessage(store.flows, flow, payload);
    await decl.receive(trx, payload, { store, from: store.name, messageId: newId() });
    return;
  }
  await emitFlow(store, trx, { flow, to, payload });
}

/** Sends to every realm of the policy (this one included, applied locally). */
export async function broadcast(
  store: RealmStore,
  trx: Transaction<RealmDatabase>,
  realms: readonly string[],
  flow: string,
  payload: Record<string, unknown>,
): Promise<void> {
  for (const to of realms) await relay(store, trx, to, flow, payload);
}
