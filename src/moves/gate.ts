import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { viewerOf } from '../api/auth.ts';
import { AppError, realmSuspended } from '../api/errors.ts';
import { realmStatus, type RealmStatus } from '../realm/lifecycle.ts';
import { countryName } from '../residency/countries.ts';

// The gates every request passes, after the session is resolved (src/api/auth.ts):
//  • realm lifecycle (R10, R11): a person of a suspended realm gets 503 realm_suspended on every
//    endpoint; a process serving only suspended realms answers it to everyone. A closed realm
//    answers 410. People of a closing realm see the state on every response (Reelm-Realm-State).
//  • country availability: where the policy switches the service off, requests from that country
//    (as the edge proxy reports it in the configured header) get 451 country_unavailable, except
//    what a person needs to take their data with them (log in, their account, their exports).

/** Paths a person in a switched-off country may still use: log in and out, their account, their data. */
const DATA_EXIT_PATHS = [
  /^\/api\/v1\/sessions(\/|$)/,
  /^\/api\/v1\/me$/,
  /^\/api\/v1\/me\/exports(\/|$)/,
  /^\/media\/[a-z][a-z0-9]*\/exports\//,
  /^\/healthz$/,
  /^\/readyz$/,
];
const ALWAYS_OPEN = [/^\/healthz$/, /^\/readyz$/, /^\/internal\/flows\//];

function pathOf(req: FastifyRequest): string {
  return req.url.split('?')[0]!;
}

export function countryOf(req: FastifyRequest, header: string | undefined): string | undefined {
  if (!header) return undefined; // not configured: the header is not trusted
  const v = req.headers[header.toLowerCase()];
  const code = (Array.isArray(v) ? v[0] : v)?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? code : undefined;
}

function countryRefusal(country: string, message: string | undefined) {
  return new AppError(
    451,
    'country_unavailable',
    message ?? `Reelm is not available in ${countryName(country)}. You can still log in and download your data.`,
    { country },
  );
}

function sendRefusal(req: FastifyRequest, reply: FastifyReply, err: AppError) {
  const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
  if (retry) reply.header('retry-after', String(retry));
  if (req.method === 'GET' && /text\/html/.test(req.headers.accept ?? '') && !pathOf(req).startsWith('/api/')) {
    // a page for a browser: the same sentence, nothing else (no script, nothing from elsewhere)
    const text = err.message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    return reply
      .status(err.status)
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Reelm</title><main><h1>Reelm</h1><p>${text}</p></main></html>`);
  }
  return reply.status(err.status).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
}

export const realmClosedError = () => new AppError(410, 'realm_closed', 'This realm has closed and holds no data any more.');

export async function lifecycleGate(app: FastifyInstance) {
  const reelm = app.reelm;
  const onlySuspended = async (): Promise<boolean> => {
    const statuses = await Promise.all(reelm.realms.all().map((s) => realmStatus(s)));
    return statuses.length > 0 && statuses.every((s) => s.state === 'suspended');
  };
  app.addHook('onRequest', async (req, reply) => {
    const path = pathOf(req);
    if (ALWAYS_OPEN.some((p) => p.test(path))) return;
    const viewer = viewerOf(req);
    let status: RealmStatus | undefined;
    if (viewer && reelm.realms.has(viewer.realm)) status = await realmStatus(reelm.realms.get(viewer.realm));
    if (status?.state === 'suspended' || (!viewer && (await onlySuspended()))) return sendRefusal(req, reply, realmSuspended());
    if (status?.state === 'closed') return sendRefusal(req, reply, realmClosedError());
    if (status?.state === 'closing' || status?.state === 'purging') {
      reply.header('reelm-realm-state', `${status.state}; closes-at=${new Date(status.closesAt ?? Date.now()).toISOString()}`);
    }
    const country = countryOf(req, reelm.config.moves.countryHeader);
    const off = country ? reelm.policy.unavailableIn(country) : undefined;
    if (country && off && !DATA_EXIT_PATHS.some((p) => p.test(path))) return sendRefusal(req, reply, countryRefusal(country, off.message));
  });
  // Sign-up names its country in the body: refused where the service is off or the home realm is not open.
  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST' || pathOf(req) !== '/api/v1/accounts') return;
    const country = String((req.body as { country?: unknown } | undefined)?.country ?? '')
      .trim()
      .toUpperCase();
    const off = reelm.policy.unavailableIn(country);
    if (off) return sendRefusal(req, reply, countryRefusal(country, off.message));
    const realm = /^[A-Z]{2}$/.test(country) ? reelm.policy.homeRealmFor(country) : undefined;
    if (!realm || !reelm.realms.has(realm)) return;
    const { state } = await realmStatus(reelm.realms.get(realm));
    if (state === 'suspended') return sendRefusal(req, reply, realmSuspended());
    if (state !== 'open') return sendRefusal(req, reply, new AppError(403, 'realm_closing', 'Reelm is closing in your country: new accounts cannot be made.'));
  });
}
// Applies to every route of the app, not just this plugin's (what fastify-plugin does).
(lifecycleGate as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
