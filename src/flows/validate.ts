import type { FlowDeclaration } from './declarations.ts';
import type { FlowTable } from './flow-table.ts';

// Checks a message against the flow table, on sending and again on receipt.
// A refusal names the flow, the reason and the offending field *names* — never
// values, so the refusal log cannot itself leak what was refused.

export type RefusalReason =
  'undeclared_flow' | 'protected_field' | 'undeclared_field' | 'missing_field' | 'invalid_field' | 'invalid_payload' | 'stays_in_realm';

export class FlowRefused extends Error {
  readonly reason: RefusalReason;
  readonly flow: string;
  readonly fields: string[];
  constructor(flow: string, reason: RefusalReason, fields: string[] = []) {
    super(`flow "${flow}" refused: ${reason}${fields.length ? ` (${fields.join(', ')})` : ''}`);
    this.flow = flow;
    this.reason = reason;
    this.fields = fields;
  }
}

export function checkFlowMessage(table: FlowTable, flow: string, payload: unknown): FlowDeclaration {
  const decl = table.get(flow);
  if (!decl) throw new FlowRefused(flow, 'undeclared_flow');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new FlowRefused(flow, 'invalid_payload');
  const names = Object.keys(payload);
  const protectedFields = names.filter((n) => table.protectedNames.has(n) && !(n in decl.fields));
  if (protectedFields.length) throw new FlowRefused(flow, 'protected_field', protectedFields);
  const undeclared = names.filter((n) => !(n in decl.fields));
  if (undeclared.length) throw new FlowRefused(flow, 'undeclared_field', undeclared);
  // a field its schema lets be absent (added to a flow later: older senders' messages lack it) may be missing
  const missing = Object.entries(decl.fields)
    .filter(([n, f]) => !(n in payload) && !f.schema.safeParse(undefined).success)
    .map(([n]) => n);
  if (missing.length) throw new FlowRefused(flow, 'missing_field', missing);
  const invalid = Object.entries(decl.fields)
    .filter(([n, f]) => !f.schema.safeParse((payload as Record<string, unknown>)[n]).success)
    .map(([n]) => n);
  if (invalid.length) throw new FlowRefused(flow, 'invalid_field', invalid);
  return decl;
}
