import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../api/errors.ts';
import { receiveMessages, type FlowMessage } from './receive.ts';
import { FLOW_DELIVER_PATH, FLOW_SIGNATURE_HEADER, verifyFlowBody } from './transport.ts';

// The receiving end of the HTTP transport between realm processes. (The
// sending end, the deliverer, is the flows module's background task.)

const message = z.object({
  id: z.string().max(64),
  from: z.string().max(16),
  to: z.string().max(16),
  seq: z.number().int().positive(),
  flow: z.string().max(64),
  payload: z.record(z.string(), z.unknown()),
  createdAt: z.number().int(),
});

export const flowRoutes: FastifyPluginAsyncZod = async (app) => {
  // The signature covers the exact bytes sent, so keep them (this parser applies to this plugin's routes only).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    (req as unknown as { rawBody: string }).rawBody = body as string;
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      (err as { statusCode?: number }).statusCode = 400;
      done(err as Error, undefined);
    }
  });

  app.post(
    FLOW_DELIVER_PATH,
    {
      schema: {
        hide: true,
        body: z.object({ from: z.string().max(16), to: z.string().max(16), messages: z.array(message).max(1000) }),
      },
    },
    async (req) => {
      const raw = (req as unknown as { rawBody?: string }).rawBody ?? '';
      if (!verifyFlowBody(app.reelm.secret, raw, req.headers[FLOW_SIGNATURE_HEADER] as string | undefined)) {
        throw new AppError(401, 'bad_flow_signature', 'This delivery is not signed by a realm of this deployment.');
      }
      const { from, to, messages } = req.body;
      if (!app.reelm.realms.has(to)) throw new AppError(421, 'realm_not_served', `Realm ${to} is not served by this process.`);
      return { results: await receiveMessages(app.reelm.realms.get(to), from, messages as FlowMessage[]) };
    },
  );
};
