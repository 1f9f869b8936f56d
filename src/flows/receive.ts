import { isRealmHeld, REALM_SUSPENDED } from '../realm/lifecycle.ts';
import type { RealmStore } from '../realm/store.ts';
import { writeRealmLog } from '../residency/realm-log.ts';
import { checkFlowMessage, FlowRefused } from './validate.ts';

// Receiving side. Each message is applied and recorded in the inbox in ONE
// transaction, and only if it is the next in its sender's sequence: a replay
// (the sender never saw our ack) is answered `duplicate` without re-applying,
// and a message arriving early is answered `out_of_order` and resent later.

export interface FlowMessage {
  id: string;
  from: string;
  to: string;
  seq: number;
  flow: string;
  payload: Record<string, unknown>;
  createdAt: number;
}

export type DeliveryOutcome = 'applied' | 'skipped' | 'refused' | 'duplicate' | 'out_of_order' | 'error';

export interface DeliveryResult {
  id: string;
  seq: number;
  outcome: DeliveryOutcome;
  error?: string;
}

/** Outcomes after which the sender may mark the message delivered. */
export const FINAL_OUTCOMES: ReadonlySet<DeliveryOutcome> = new Set(['applied', 'skipped', 'refused', 'duplicate']);

export async function receiveMessages(store: RealmStore, from: string, messages: readonly FlowMessage[]): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = [];
  // A suspended realm applies nothing; the sender keeps the messages and resends after the resume.
  if (messages[0] && (await isRealmHeld(store))) return [{ id: messages[0].id, seq: messages[0].seq, outcome: 'error', error: REALM_SUSPENDED }];
  for (const m of messages) {
    const r = await receiveOne(store, from, m);
    results.push(r);
    if (!FINAL_OUTCOMES.has(r.outcome)) break; // keep order: nothing after a gap or a failure
  }
  return results;
}

async function receiveOne(store: RealmStore, from: string, m: FlowMessage): Promise<DeliveryResult> {
  const base = { id: m.id, seq: m.seq };
  if (m.from !== from || m.to !== store.name) return { ...base, outcome: 'error', error: `message is from ${m.from} to ${m.to}, not ${from} to ${store.name}` };
  try {
    return await store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('flow_receive_state')
        .values({ from_realm: from, applied_seq: 0 })
        .onConflict((oc) => oc.column('from_realm').doNothing())
        .execute();
      const state = await trx
        .selectFrom('flow_receive_state')
        .select('applied_seq')
        .where('from_realm', '=', from)
        .$if(store.dialect === 'postgres', (q) => q.forUpdate())
        .executeTakeFirstOrThrow();
      const applied = Number(state.applied_seq);
      if (m.seq <= applied) return { ...base, outcome: 'duplicate' as const };
      if (m.seq !== applied + 1) return { ...base, outcome: 'out_of_order' as const, error: `expected ${applied + 1}` };
      let outcome: 'applied' | 'skipped' | 'refused';
      try {
        const decl = checkFlowMessage(store.flows, m.flow, m.payload);
        outcome = await decl.receive(trx, m.payload, { store, from, messageId: m.id });
      } catch (err) {
        if (!(err instanceof FlowRefused)) throw err;
        // Refused for good: record it so the sequence moves on; log names, never values.
        writeRealmLog(store.manifest, 'flow_refused', { side: 'receive', flow: err.flow, from, reason: err.reason, fields: err.fields, messageId: m.id });
        outcome = 'refused';
      }
      await trx.insertInto('flow_inbox').values({ message_id: m.id, from_realm: from, seq: m.seq, flow: m.flow, outcome, received_at: Date.now() }).execute();
      await trx.updateTable('flow_receive_state').set({ applied_seq: m.seq }).where('from_realm', '=', from).execute();
      return { ...base, outcome };
    });
  } catch (err) {
    return { ...base, outcome: 'error', error: (err as Error).message };
  }
}
