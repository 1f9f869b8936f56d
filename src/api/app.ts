import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  hasZodFastifySchemaValidationErrors,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Reelm } from '../context.ts';
import { accountMoving, AppError, realmSuspended } from './errors.ts';
import { isPersonHeld, isPersonHeldError } from '../realm/person-hold.ts';
import { isRealmSuspendedError } from '../realm/lifecycle.ts';
import { checkOpenApi } from './openapi-check.ts';
import { forwardToRealm, isRealmElsewhere, isRoutable } from './realm-forward.ts';
import { registerRoutes } from './routes.ts';
import { authHook } from './auth.ts';
import { installMetrics } from './metrics.ts';
import { installHardening } from './hardening.ts';
import { newId } from '../lib/ids.ts';
import { webShell } from '../web/static-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    reelm: Reelm;
    /** every route registered, for tests generated from the route table (S1) and the OpenAPI check */
    routeTable: { method: string; url: string; hidden: boolean }[];
  }
}

/** The Fastify instance with zod schemas; route plugins are `FastifyPluginAsyncZod`s. */
export type App = FastifyInstance;

// Logs never carry personal data (S6): no IPs, no headers, no bodies — only
// the method, the route pattern, the status and a request id.
const serializers = {
  req: (req: { method: string; routeOptions?: { url?: string }; id: string }) => ({ method: req.method, route: req.routeOptions?.url, id: req.id }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

export async function buildApp(reelm: Reelm, opts: { logger?: boolean } = {}): Promise<App> {
  // Request ids: a random per-app prefix and a counter, unique across processes without
  // drawing random bytes on every request (that was ~5 % of a signed-in request's CPU).
  const reqIdPrefix = newId().slice(-10);
  let reqSeq = 0;
  const app = Fastify({
    logger: opts.logger === false || reelm.config.logLevel === 'silent' ? false : { level: reelm.config.logLevel, serializers },
    genReqId: () => `${reqIdPrefix}${(++reqSeq).toString(36)}`,
    trustProxy: reelm.config.http.trustProxy,
    bodyLimit: 1024 * 1024,
    // headers and bodies must arrive in bounded time (Fastify's default is no limit; bodies: hardening.ts)
    requestTimeout: reelm.config.http.requestTimeoutMs,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('reelm', reelm);
  // An empty JSON body is "no body": routes whose body is optional then see `undefined` (their schema
  // supplies the defaults) instead of Fastify's refusal of an empty application/json request.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    return jsonParser(req, body as string, done);
  });
  app.decorate('routeTable', [] as { method: string; url: string; hidden: boolean }[]);
  app.decorateRequest('viewer', null);
  app.addHook('onRoute', (route) => {
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
    for (const method of [route.method].flat()) app.routeTable.push({ method, url: route.url, hidden });
  });

  app.setErrorHandler(async (err: FastifyError | AppError, req, reply) => {
    // a handler found, before storing anything, that the request belongs to another realm's process
    if (isRealmElsewhere(err) && isRoutable(req.url)) {
      try {
        return await forwardToRealm(reelm, req, reply, err.realm, req.body === undefined ? '' : JSON.stringify(req.body));
      } catch (refused) {
        err = refused as AppError;
      }
    }
    if (isRealmSuspendedError(err))
      err = realmSuspended(); // refused by the realm's hold (src/realm/lifecycle.ts)
    else if (isPersonHeldError(err)) {
      // held by a move (src/realm/person-hold.ts): the viewer's own account, or the one they acted on
      const v = req.viewer;
      const own = !v || !reelm.realms.has(v.realm) || (await isPersonHeld(reelm.realms.get(v.realm).db, v.userId).catch(() => true));
      err = accountMoving(own);
    }
    if (err instanceof AppError) {
      if ((err.status === 429 || err.status === 503 || err.status === 409) && (err.details as { retryAfterSeconds?: number })?.retryAfterSeconds) {
        reply.header('retry-after', String((err.details as { retryAfterSeconds: number }).retryAfterSeconds));
      }
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message }));
      const first = issues[0];
      return reply.status(400).send({
        error: {
          code: 'invalid_request',
          message: first ? `${first.path.replace(/^\//, '').replace(/\//g, '.') || 'request'}: ${first.message}` : 'The request is not valid.',
          details: issues,
        },
      });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const code =
        err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(err.message)
          ? 'malformed_json'
          : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
            ? 'body_too_large'
            : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
              ? 'unsupported_media_type'
              : 'bad_request';
      const message =
        code === 'malformed_json' ? 'The request body is not valid JSON.' : code === 'body_too_large' ? 'The request body is too large.' : err.message;
      return reply.status(status).send({ error: { code, message } });
    }
    req.log.error({ err: { type: err.name, message: err.message, stack: err.stack } }, 'request failed');
    return reply.status(500).send({ error: { code: 'internal', message: 'Something went wrong on our side. Nothing you sent was lost; please try again.' } });
  });
  // what no route answers: the web app's files and client routes, else a JSON 404
  const web = webShell();
  app.setNotFoundHandler(
    (req, reply) => web(req, reply) || reply.status(404).send({ error: { code: 'not_found', message: 'There is nothing at this address.' } }),
  );

  await app.register(cookie);
  installHardening(app, { publicUrl: reelm.config.http.publicUrl, requestTimeoutMs: reelm.config.http.requestTimeoutMs });
  app.addHook('onRequest', authHook(reelm));
  await app.register(swagger, {
    openapi: {
      info: { title: 'Reelm API', version: '0.1.0', description: 'Short videos, with your data kept in your home realm.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'reelm_session' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  installMetrics(app, reelm);
  await registerRoutes(app);
  // start refuses when a route is missing from the API reference (hidden routes are deliberate)
  app.addHook('onReady', async () => checkOpenApi(app));
  return app;
}
