import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';
import type { RealmTransactor } from '../realm/transactor.ts';

// The vocabulary of the flow table (src/flows/flow-table.ts).

/** Only these classes may cross realms. `protected` is not representable. */
export type FlowFieldClass = 'public' | 'operational';

export interface FlowField<S extends z.ZodType = z.ZodType> {
  readonly class: FlowFieldClass;
  readonly schema: S;
  readonly description: string;
}

export type FlowFields = Readonly<Record<string, FlowField>>;

/** The payload a flow's fields describe, inferred from their zod schemas: the one description of a message. */
export type FlowPayload<F extends FlowFields> = z.infer<z.ZodObject<{ -readonly [K in keyof F]: F[K]['schema'] }>>;

export interface ReceiveContext {
  /** the receiving realm bound to the delivery transaction (the receiver's writes and sends go through it) */
  readonly tx: RealmTransactor;
  /** = tx.store */
  readonly store: RealmStore;
  readonly from: string;
  readonly messageId: string;
}

/** `skipped`: valid but nothing to do here (e.g. the subject has left this realm). */
export type ReceiveOutcome = 'applied' | 'skipped';

/** A flow as its part writes it: the receiver (and staysHome) take the payload typed by the fields. */
export interface FlowDefinition<F extends FlowFields> {
  readonly name: string;
  readonly purpose: string;
  /** who sends it to whom */
  readonly route: string;
  /** how long the receiver keeps what arrives */
  readonly retention: string;
  readonly fields: F;
  /**
   * The sender deletes its copy as soon as it is delivered, instead of keeping it for diagnosis: for a payload
   * with a person's words that does not name them, so an account deletion could not find it by their id.
   */
  readonly forgetOnDelivery?: boolean;
  /** True for a message that must never leave the sending realm (emitFlow refuses it for another realm). */
  readonly staysHome?: (payload: FlowPayload<F>) => boolean;
  /** A valid payload, for documentation and for the test that walks the table. */
  readonly example: FlowPayload<F>;
  /** Applies the message inside the receiver's transaction. Must be safe to run once per message. */
  readonly receive: (trx: Transaction<RealmDatabase>, payload: FlowPayload<F>, ctx: ReceiveContext) => Promise<ReceiveOutcome>;
}

/** A flow as the table holds it: every declaration's payload type erased, checked by checkFlowMessage (validate.ts). */
export interface FlowDeclaration {
  readonly name: string;
  readonly purpose: string;
  readonly route: string;
  readonly retention: string;
  readonly fields: FlowFields;
  readonly forgetOnDelivery?: boolean;
  readonly staysHome?: (payload: Readonly<Record<string, unknown>>) => boolean;
  readonly example: Readonly<Record<string, unknown>>;
  /** A property, not a method, so a receiver typed for some payload cannot be put here without defineFlow (strict function types). */
  readonly receive: (trx: Transaction<RealmDatabase>, payload: Readonly<Record<string, unknown>>, ctx: ReceiveContext) => Promise<ReceiveOutcome>;
}

/**
 * Declares a flow: its payload type is inferred from its fields' zod schemas, and the payload
 * handed to the receiver is the schemas' parse of the message (already checked field by field
 * by checkFlowMessage, so the parse only produces the typed value — it cannot refuse).
 */
export function defineFlow<const F extends FlowFields>(d: FlowDefinition<F>): FlowDeclaration {
  const schema = payloadSchema(d.fields);
  const typed = (payload: Readonly<Record<string, unknown>>): FlowPayload<F> => schema.parse(payload);
  const { staysHome, receive } = d;
  return {
    name: d.name,
    purpose: d.purpose,
    route: d.route,
    retention: d.retention,
    fields: d.fields,
    ...(d.forgetOnDelivery && { forgetOnDelivery: true }),
    example: d.example,
    ...(staysHome && { staysHome: (payload) => staysHome(typed(payload)) }),
    receive: async (trx, payload, ctx) => receive(trx, typed(payload), ctx),
  };
}

/** The object schema of a flow's fields (each field's own schema; a declared field may not be missing). */
export function payloadSchema<F extends FlowFields>(fields: F) {
  return z.object(Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.schema])) as { -readonly [K in keyof F]: F[K]['schema'] });
}
