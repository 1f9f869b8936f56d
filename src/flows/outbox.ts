import { sql, type Transaction } from 'kysely';
import { newId } from '../lib/ids.ts';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { RealmTransactor } from '../realm/transactor.ts';
import { writeRealmLog } from '../residency/realm-log.ts';
import { checkFlowMessage, FlowRefused } from './validate.ts';

// Sending side. emitFlow writes the message into this realm's outbox inside
// the caller's transaction: the change and its announcement commit together
// or not at all. Each receiving realm gets its own gap-free sequence.

export interface FlowMessageInput {
  flow: string;
  to: string;
  payload: Record<string, unknown>;
}

/** emitFlow for a realm transactor: into its realm's outbox, in its transaction. */
export function sendFlow(tx: RealmTransactor, msg: FlowMessageInput): Promise<string> {
  return emitFlow(tx.store, tx.db, msg);
}

export async function emitFlow(store: RealmStore, trx: Transaction<RealmDatabase>, msg: FlowMessageInput): Promise<string> {
  try {
    const decl = checkFlowMessage(store.flows, msg.flow, msg.payload);
    if (!/^[a-z][a-z0-9]{1,15}$/.test(msg.to)) throw new FlowRefused(msg.flow, 'invalid_payload', ['to']);
    if (msg.to !== store.name && decl.staysHome?.(msg.payload)) throw new FlowRefused(msg.flow, 'stays_in_realm');
  } catch (err) {
    if (err instanceof FlowRefused) {
      writeRealmLog(store.manifest, 'flow_refused', { side: 'send', flow: err.flow, to: msg.to, reason: err.reason, fields: err.fields });
    }
    throw err;
  }
  // The row lock taken by this UPDATE orders concurrent senders; it is held to commit, so sequence order is commit order.
  await trx
    .insertInto('flow_send_state')
    .values({ to_realm: msg.to, last_seq: 0 })
    .onConflict((oc) => oc.column('to_realm').doNothing())
    .execute();
  const { last_seq } = await trx
    .updateTable('flow_send_state')
    .set({ last_seq: sql`last_seq + 1` })
    .where('to_realm', '=', msg.to)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  const id = newId();
  await trx
    .insertInto('flow_outbox')
    .values({
      id,
      to_realm: msg.to,
      seq: Number(last_seq),
      flow: msg.flow,
      payload: JSON.stringify(msg.payload),
      state: 'pending',
      attempts: 0,
      last_error: null,
      created_at: Date.now(),
      delivered_at: null,
    })
    .execute();
  return id;
}
