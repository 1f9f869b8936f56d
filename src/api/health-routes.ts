import { z } from 'zod';
import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and the realms served by this process',
        response: {
          200: z.object({
            status: z.literal('ok'),
            realms: z.array(
              z.object({
                name: z.string(),
                displayName: z.string(),
                operator: z.string(),
                database: z.enum(['sqlite', 'postgres']),
                blobs: z.enum(['local', 's3']),
                ok: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const realms = await Promise.all(
        app.reelm.realms.all().map(async (r) => {
          const ok = await sql`select 1 as one`.execute(r.db).then(
            () => true,
            () => false,
          );
          return { name: r.name, displayName: r.info.displayName, operator: r.info.operatorName, database: r.dialect, blobs: r.blobs.kind, ok };
        }),
      );
      return { status: 'ok' as const, realms };
    },
  );
};
