import type { Reelm } from '../context.ts';
import { isRealmHeld } from '../realm/lifecycle.ts';
import type { RealmStore } from '../realm/store.ts';
import { writeRealmLog } from '../residency/realm-log.ts';
import { FINAL_OUTCOMES, type FlowMessage } from './receive.ts';
import { transportTo, type FlowTransport } from './transport.ts';

// The delivery worker: for every realm this process serves, sends pending
// outbox messages to each receiving realm in sequence order, and marks them
// delivered only after the receiver has committed them. A crash between the
// receiver's commit and our mark means a resend, which the receiver answers
// `duplicate`: effect exactly once.

export interface DeliveryStats {
  delivered: number;
  pending: number;
  errors: number;
}

/** Delivered outbox rows and inbox ids are kept this long (for diagnosis), then pruned. */
export const FLOW_RECORD_RETENTION_MS = 7 * 24 * 3600 * 1000;

export class FlowDeliverer {
  readonly #reelm: Reelm;
  readonly #transport: (to: string) => FlowTransport | undefined;
  readonly #realms: () => readonly RealmStore[];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = true;
  readonly #unreachableLogged = new Set<string>();

  /** `realms`: the sending realms this deliverer serves (default: every realm open in the process). */
  constructor(reelm: Reelm, opts: { transport?: (to: string) => FlowTransport | undefined; realms?: readonly RealmStore[] } = {}) {
    this.#reelm = reelm;
    this.#transport = opts.transport ?? ((to) => transportTo(reelm, to));
    this.#realms = () => opts.realms ?? reelm.realms.all();
  }

  /** Delivers everything pending now (and whatever that delivery emits), then returns. */
  async deliverOnce(): Promise<DeliveryStats> {
    const total: DeliveryStats = { delivered: 0, pending: 0, errors: 0 };
    for (let round = 0; round < 20; round++) {
      let progress = 0;
      total.pending = 0;
      for (const store of this.#realms()) {
        const r = await this.#deliverFrom(store);
        progress += r.delivered;
        total.delivered += r.delivered;
        total.errors += r.errors;
        total.pending += r.pending;
      }
      // Another round while anything moved: a realm delivered to later in a round may have emitted to one already passed.
      if (progress === 0) break;
    }
    return total;
  }

  async #deliverFrom(store: RealmStore): Promise<DeliveryStats> {
    const stats: DeliveryStats = { delivered: 0, pending: 0, errors: 0 };
    if (await isRealmHeld(store)) return stats; // a suspended realm sends nothing (its outbox waits for resume)
    const targets = await store.db.selectFrom('flow_outbox').select('to_realm').distinct().where('state', '=', 'pending').execute();
    for (const { to_realm: to } of targets) {
      const transport = this.#transport(to);
      if (!transport) {
        if (!this.#unreachableLogged.has(`${store.name}>${to}`)) {
          this.#unreachableLogged.add(`${store.name}>${to}`);
          writeRealmLog(store.manifest, 'flow_no_route', { to });
        }
        stats.pending += await this.#countPending(store, to);
        continue;
      }
      for (;;) {
        const rows = await store.db
          .selectFrom('flow_outbox')
          .selectAll()
          .where('state', '=', 'pending')
          .where('to_realm', '=', to)
          .orderBy('seq')
          .limit(this.#reelm.config.flows.batchSize)
          .execute();
        if (rows.length === 0) break;
        const messages: FlowMessage[] = rows.map((r) => ({
          id: r.id,
          from: store.name,
          to,
          seq: Number(r.seq),
          flow: r.flow,
          payload: JSON.parse(r.payload),
          createdAt: Number(r.created_at),
        }));
        let results;
        try {
          results = await transport.send(store.name, to, messages);
        } catch (err) {
          stats.errors++;
          await this.#noteFailure(store, rows[0]!.id, (err as Error).message);
          break;
        }
        const done = results.filter((r) => FINAL_OUTCOMES.has(r.outcome));
        const now = Date.now();
        const refused = done.filter((r) => r.outcome === 'refused').map((r) => r.id);
        const accepted = done.filter((r) => r.outcome !== 'refused').map((r) => r.id);
        if (accepted.length) await store.db.updateTable('flow_outbox').set({ state: 'delivered', delivered_at: now }).where('id', 'in', accepted).execute();
        if (refused.length) await store.db.updateTable('flow_outbox').set({ state: 'refused', delivered_at: now }).where('id', 'in', refused).execute();
        const final = new Set(done.map((d) => d.id));
        const forget = rows.filter((r) => final.has(r.id) && store.flows.get(r.flow)?.forgetOnDelivery).map((r) => r.id);
        if (forget.length) await store.db.deleteFrom('flow_outbox').where('id', 'in', forget).execute(); // nothing of it stays here
        stats.delivered += done.length;
        const stuck = results.find((r) => !FINAL_OUTCOMES.has(r.outcome));
        if (stuck) {
          stats.errors++;
          await this.#noteFailure(store, stuck.id, `${stuck.outcome}${stuck.error ? `: ${stuck.error}` : ''}`);
          break;
        }
        if (done.length < rows.length) break;
      }
      stats.pending += await this.#countPending(store, to);
    }
    return stats;
  }

  async #countPending(store: RealmStore, to: string): Promise<number> {
    const r = await store.db
      .selectFrom('flow_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending')
      .where('to_realm', '=', to)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async #noteFailure(store: RealmStore, id: string, error: string) {
    await store.db
      .updateTable('flow_outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 500) }))
      .where('id', '=', id)
      .execute();
  }

  /** Removes delivery records older than the retention period. */
  async prune(now = Date.now()) {
    for (const store of this.#realms()) {
      await store.db
        .deleteFrom('flow_outbox')
        .where('state', '!=', 'pending')
        .where('delivered_at', '<', now - FLOW_RECORD_RETENTION_MS)
        .execute();
      // Inbox ids must outlive any possible resend; the receive sequence still guards after pruning.
      await store.db
        .deleteFrom('flow_inbox')
        .where('received_at', '<', now - FLOW_RECORD_RETENTION_MS)
        .execute();
    }
  }

  /** Runs until stop(): delivers, then sleeps pollMs (longer after an error). */
  start() {
    if (!this.#stopped) return;
    this.#stopped = false;
    let lastPrune = 0;
    const tick = async () => {
      if (this.#stopped) return;
      let wait = this.#reelm.config.flows.pollMs;
      try {
        const s = await this.deliverOnce();
        if (s.errors > 0) wait = Math.min(wait * 8, 5000);
        if (Date.now() - lastPrune > 3600_000) {
          lastPrune = Date.now();
          await this.prune();
        }
      } catch (err) {
        wait = Math.min(wait * 8, 5000);
        process.emitWarning(`flow delivery failed: ${(err as Error).message}`);
      }
      if (!this.#stopped) this.#timer = setTimeout(() => (this.#running = tick()), wait);
    };
    this.#running = tick();
  }

  async stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }
}
