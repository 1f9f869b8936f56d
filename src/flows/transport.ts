import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Reelm } from '../context.ts';
import { receiveMessages, type DeliveryResult, type FlowMessage } from './receive.ts';

// How a batch of messages reaches the receiving realm: a direct call when the
// receiver is open in this process (the embedded default), HTTP to the peer's
// realm process otherwise. Both end in receiveMessages on the receiver.

export interface FlowTransport {
  readonly kind: 'in-process' | 'http';
  send(from: string, to: string, messages: FlowMessage[]): Promise<DeliveryResult[]>;
}

export const FLOW_DELIVER_PATH = '/internal/flows/v1/deliver';
export const FLOW_SIGNATURE_HEADER = 'x-reelm-flow-signature';

/** Realm processes of one deployment share the server secret; the flow key is derived from it. */
export function flowKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('reelm-flows-v1').digest();
}

export function signFlowBody(secret: string, body: string): string {
  return createHmac('sha256', flowKey(secret)).update(body).digest('base64url');
}

export function verifyFlowBody(secret: string, body: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const want = Buffer.from(signFlowBody(secret, body));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

export function inProcessTransport(reelm: Reelm): FlowTransport {
  return {
    kind: 'in-process',
    send: (from, to, messages) => receiveMessages(reelm.realms.get(to), from, messages),
  };
}

export function httpTransport(reelm: Reelm, baseUrl: string, timeoutMs = 10_000): FlowTransport {
  return {
    kind: 'http',
    async send(from, to, messages) {
      const body = JSON.stringify({ from, to, messages });
      const res = await fetch(new URL(FLOW_DELIVER_PATH, baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [FLOW_SIGNATURE_HEADER]: signFlowBody(reelm.secret, body) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`peer ${to} at ${baseUrl} answered ${res.status}`);
      return ((await res.json()) as { results: DeliveryResult[] }).results;
    },
  };
}

/** The transport to a realm, or undefined when this process has no route to it. */
export function transportTo(reelm: Reelm, to: string): FlowTransport | undefined {
  if (reelm.realms.has(to)) return inProcessTransport(reelm);
  const peer = reelm.config.flows.peers[to];
  return peer ? httpTransport(reelm, peer) : undefined;
}
