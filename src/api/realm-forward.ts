import { createHmac, timingSafeEqual } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Reelm } from '../context.ts';
import { AppError } from './errors.ts';

// Routing a request to the process that serves its realm. A deployment may run each
// realm as its own process (serveRealms); the peer base URLs the HTTP flow transport
// uses (flows.peers) say where each realm is served. A request that belongs to a realm
// this process does not serve — a session token of that realm, a log-in or sign-up
// whose account lives there — is sent on to that realm's process: method, path,
// headers and body (streamed) go over, status, headers and body come back. The hop is
// marked with a header signed with the deployment's secret, carrying the client's
// address (so the realm's per-address limits and request log see the person, not the
// forwarding process); a request that arrives marked is never forwarded again (no loops).
// Unknown or unreachable: 503 with a sentence saying which.

export const FORWARDED_HEADER = 'x-reelm-forwarded';
const FRESH_MS = 60_000;
// hop-by-hop headers (RFC 9110 §7.6.1) are the connection's, not the request's
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

/** Thrown where a request turns out to belong to a realm this process does not serve, before anything is stored. */
export class RealmElsewhere extends Error {
  readonly realm: string;
  constructor(realm: string) {
    super(`realm "${realm}" is not served by this process`);
    this.realm = realm;
  }
}

export function isRealmElsewhere(err: unknown): err is RealmElsewhere {
  return err instanceof RealmElsewhere;
}

function mac(secret: string, address: string, at: string, method: string, url: string): Buffer {
  return createHmac('sha256', secret).update(`reelm-forward\n${address}\n${at}\n${method}\n${url}`).digest();
}

/** The forwarded mark: the client's address and the time, signed over the method and URL. */
export function forwardedMark(secret: string, address: string, method: string, url: string, now = Date.now()): string {
  const at = String(now);
  return `for=${encodeURIComponent(address)};at=${at};sig=${mac(secret, address, at, method, url).toString('base64url')}`;
}

/** The client address a valid, fresh mark carries; undefined when the request was not forwarded by this deployment. */
export function verifiedForward(secret: string, req: FastifyRequest, now = Date.now()): string | undefined {
  const header = req.headers[FORWARDED_HEADER];
  if (typeof header !== 'string') return undefined;
  const m = /^for=([^;]*);at=(\d+);sig=([A-Za-z0-9_-]+)$/.exec(header);
  if (!m) return undefined;
  const address = decodeURIComponent(m[1]!);
  if (Math.abs(now - Number(m[2])) > FRESH_MS) return undefined;
  const want = mac(secret, address, m[2]!, req.method, req.raw.url ?? req.url);
  const got = Buffer.from(m[3]!, 'base64url');
  return got.length === want.length && timingSafeEqual(got, want) ? address : undefined;
}

/** The API paths that follow the person's realm (media, flows, health and pages are answered where they arrive). */
export function isRoutable(url: string): boolean {
  return url.startsWith('/api/v1/');
}

function notServed(realm: string, why: string): AppError {
  return new AppError(503, 'realm_not_served', `This request belongs to realm ${realm}, which this server does not serve, ${why}`, {
    realm,
    retryAfterSeconds: 30,
  });
}

/**
 * Sends the request on to the process serving `realm` and relays its answer. `body`: the
 * already-parsed body to send (a handler found the realm after parsing); without it the
 * raw body is streamed. Throws (→ 503) when the realm's URL is unknown or the request was
 * already forwarded once.
 */
export async function forwardToRealm(reelm: Reelm, req: FastifyRequest, reply: FastifyReply, realm: string, body?: string): Promise<void> {
  const peer = reelm.config.flows.peers[realm];
  if (!peer) throw notServed(realm, 'and it does not know where that realm is served (flows.peers).');
  if (req.headers[FORWARDED_HEADER] !== undefined) throw notServed(realm, 'and the request was already forwarded once, so it is not sent on again.');
  const base = new URL(peer);
  const path = req.raw.url ?? req.url;
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  headers[FORWARDED_HEADER] = forwardedMark(reelm.secret, req.ip, req.method, path);
  if (body !== undefined) {
    delete headers['transfer-encoding'];
    headers['content-length'] = String(Buffer.byteLength(body));
    if (body) headers['content-type'] = 'application/json';
    else delete headers['content-type'];
  }
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  reply.hijack();
  const res = reply.raw;
  return new Promise<void>((resolve) => {
    const upstream = send({
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port || undefined,
      method: req.method,
      path: base.pathname.replace(/\/$/, '') + path,
      headers,
      timeout: reelm.config.http.requestTimeoutMs,
    });
    let connected = false;
    upstream.once('socket', (s) => (s.connecting ? s.once('connect', () => (connected = true)) : (connected = true)));
    upstream.on('response', (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.once('end', () => resolve());
      answer.once('error', () => res.destroy());
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
    upstream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
        return resolve();
      }
      const message = connected
        ? `The server for realm ${realm} stopped answering (${err.message}) while handling this request. If it was a change, check whether it was saved before trying again.`
        : `The server for realm ${realm} could not be reached (${err.message}). Nothing was sent to it; please try again shortly.`;
      const text = JSON.stringify({ error: { code: 'realm_unreachable', message, details: { realm } } });
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '30', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      resolve();
    });
    if (body !== undefined) upstream.end(body);
    else req.raw.pipe(upstream);
  });
}
