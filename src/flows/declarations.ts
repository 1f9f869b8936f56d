import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { RealmDatabase } from '../realm/registry.ts';
import type { RealmStore } from '../realm/store.ts';

// The vocabulary of the flow table (src/flows/flow-table.ts).

/** Only these classes may cross realms. `protected` is not representable. */
export type FlowFieldClass = 'public' | 'operational';

export interface FlowField {
  readonly class: FlowFieldClass;
  readonly schema: z.ZodType;
  readonly description: string;
}

export interface ReceiveContext {
  readonly store: RealmStore;
  readonly from: string;
  readonly messageId: string;
}

/** `skipped`: valid but nothing to do here (e.g. the subject has left this realm). */
export type ReceiveOutcome = 'applied' | 'skipped';

export interface FlowDeclaration {
  readonly name: string;
  readonly purpose: string;
  /** who sends it to whom */
  readonly route: string;
  /** how long the receiver keeps what arrives */
  readonly retention: string;
  readonly fields: Readonly<Record<string, FlowField>>;
  /** True for a message that must never leave the sending realm (emitFlow refuses it for another realm). */
  readonly staysHome?: (payload: Readonly<Record<string, unknown>>) => boolean;
  /** A valid payload, for documentation and for the test that walks the table. */
  readonly example: Readonly<Record<string, unknown>>;
  /** Applies the message inside the receiver's transaction. Must be safe to run once per message. */
  receive(trx: Transaction<RealmDatabase>, payload: Record<string, any>, ctx: ReceiveContext): Promise<ReceiveOutcome>;
}
