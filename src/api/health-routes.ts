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

  // Readiness, for load balancers and orchestrators: this process can serve every realm it
  // serves — each realm's database answers and has every migration this code knows, each
  // blob store answers, the directory answers. 503 with the failing checks otherwise.
  const check = z.object({ name: z.string(), ok: z.boolean(), problem: z.string().optional() });
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: every store of every served realm reachable, migrations current',
        response: {
          200: z.object({ status: z.literal('ready'), checks: z.array(check) }),
          503: z.object({ status: z.literal('not_ready'), checks: z.array(check) }),
        },
      },
    },
    async (_req, reply) => {
      const probe = async (name: string, fn: () => Promise<string | undefined>) => {
        try {
          const problem = await fn();
          return problem ? { name, ok: false, problem } : { name, ok: true };
        } catch (err) {
          return { name, ok: false, problem: `unreachable: ${(err as Error).message.slice(0, 200)}` };
        }
      };
      const checks = await Promise.all([
        probe('directory', async () => void (await sql`select 1 as one`.execute(app.reelm.directory.db))),
        ...app.reelm.realms.all().flatMap((r) => [
          probe(`${r.name}.database`, async () => {
            await sql`select 1 as one`.execute(r.db);
            const pending = await r.pendingMigrations();
            return pending.length ? `migrations not applied: ${pending.join(', ')}` : undefined;
          }),
          probe(`${r.name}.blobs`, async () => void (await r.blobs.stat('readyz/probe'))),
        ]),
      ]);
      const ready = checks.every((c) => c.ok);
      return reply.status(ready ? 200 : 503).send({ status: ready ? ('ready' as const) : ('not_ready' as const), checks });
    },
  );
};
