import type { Transaction } from 'kysely';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';

// One way to say "this realm's change must reach realm X": when X is this
// realm the flow's receiver runs right here in the same transaction; otherwise
// the message goes to the outbox (src/flows) and is applied there exactly once.
// Either way the same declared, public-only payload and the same receiver
// code apply — a same-realm like and a cross-realm like behave identically.
// (The flow modules are imported lazily: the flow table imports this layer's
// receivers, which use relay, so a static import would form a cycle.)

export async function relay(store: RealmStore, trx: Transaction<RealmDatabase>, to: string, flow: string, payload: Record<string, unknown>): Promise<void> {
  const { checkFlowMessage } = await import('../flows/validate.ts');
  if (to === store.name) {
    const decl = checkFlowMessage(flow, payload);
    await decl.receive(trx, payload as Record<string, any>, { store, from: store.name, messageId: newId() });
    return;
  }
  const { emitFlow } = await import('../flows/outbox.ts');
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
