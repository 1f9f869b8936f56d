import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

// Defences every response and every state-changing request gets, whatever the route.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NUL_IN_URL = /%00|\0/i; // percent-encoded or raw

/** The web app's policy: its own scripts only (no inline script), media and images from Reelm and blob: (hls.js). */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; frame-ancestors 'none'";
/** Everything that is not a page (JSON, media) renders nothing and may not be framed. */
const DATA_CSP = "default-src 'none'; frame-ancestors 'none'";

function crossSiteRefusal() {
  return new AppError(
    403,
    'cross_site_request',
    'This request came from another site, so it was refused to protect your account. Use Reelm itself, or an API token.',
  );
}

/**
 * CSRF: a browser sends the session cookie with requests another site triggers, so a
 * state-changing request must come from Reelm's own pages. Browsers say where a request
 * comes from (Sec-Fetch-Site, Origin); a bearer token is never sent ambiently, so
 * API clients using one are not checked. Sign-up and log-in are covered too (log-in CSRF).
 */
export function isCrossSite(req: FastifyRequest, allowedOrigins: ReadonlySet<string>): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  if (req.headers.authorization?.startsWith('Bearer ')) return false;
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (!origin) return false; // not a browser's cross-origin request (browsers send Origin on those)
  if (origin === 'null') return true;
  const host = req.headers.host;
  return !allowedOrigins.has(origin) && !(host && (origin === `http://${host}` || origin === `https://${host}`));
}

function securityHeaders(req: FastifyRequest, reply: FastifyReply) {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'strict-origin-when-cross-origin');
  reply.header('cross-origin-opener-policy', 'same-origin');
  if (reply.hasHeader('content-security-policy')) return;
  const type = String(reply.getHeader('content-type') ?? '');
  const csp = req.url.startsWith('/api/docs') ? DOCS_CSP : type.startsWith('text/html') ? APP_CSP : DATA_CSP;
  reply.header('content-security-policy', csp);
}

const TIMEOUT_BODY = JSON.stringify({
  error: { code: 'request_timeout', message: 'The request took too long to arrive, so it was stopped. Nothing from it was stored; please try again.' },
});

/**
 * A body trickled in (a byte every few seconds) must not hold a connection and a parser
 * forever: the whole body has to arrive within the configured time. Node's own
 * requestTimeout does not cover a body that has started, so the deadline is ours.
 */
function bodyDeadline(req: FastifyRequest, ms: number) {
  const raw = req.raw;
  if (!raw.headers['content-length'] && !raw.headers['transfer-encoding']) return;
  const timer = setTimeout(() => {
    const socket = raw.socket;
    if (!socket || socket.destroyed) return;
    socket.end(
      `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(TIMEOUT_BODY)}\r\n\r\n${TIMEOUT_BODY}`,
    );
    socket.destroySoon();
  }, ms);
  timer.unref();
  const clear = () => clearTimeout(timer);
  raw.once('end', clear);
  raw.once('close', clear);
}

export function installHardening(app: FastifyInstance, opts: { publicUrl: string | undefined; requestTimeoutMs: number }) {
  const allowed = new Set(opts.publicUrl ? [new URL(opts.publicUrl).origin] : []);
  // callback hooks (no promise per request)
  app.addHook('onRequest', (req, _reply, done) => {
    // no text column of either database holds a NUL (PostgreSQL refuses it outright): an address with one names nothing
    if (NUL_IN_URL.test(req.url)) return done(new AppError(400, 'bad_request', 'The address contains a NUL character.'));
    if (isCrossSite(req, allowed)) return done(crossSiteRefusal());
    bodyDeadline(req, opts.requestTimeoutMs);
    done();
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    securityHeaders(req, reply);
    done(null, payload);
  });
}
