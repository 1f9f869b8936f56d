import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditReelm } from '../audit/scan.ts';
import { realmStatus } from '../realm/lifecycle.ts';
import { signedHead, verifyChain } from './audit-chain.ts';
import { isStaffOf, requireStaffOfRealm, requireStaffToken } from './staff.ts';

// The admin console's API (web /admin): a staff member's realms and their
// state, and — for administrators — the residency audit and the verification
// of the staff access chain of one of them, the same checks as `reelm audit`
// and `reelm audit-log verify`, limited to realms of the staff's own operator.

const realmParams = z.object({ realm: z.string().max(64) });
const ADMINISTRATORS = new Set(['administrator'] as const);

export const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;

  app.get(
    '/api/v1/admin/realms',
    {
      schema: {
        tags: ['staff'],
        summary: 'Staff: who I am, and the realms of my operator this server runs (where I am on record), with their state.',
        security: [{ bearer: [] }],
        response: {
          200: z.object({
            staff: z.object({ id: z.string(), name: z.string(), role: z.string(), operator: z.string(), operatorName: z.string() }),
            realms: z.array(
              z.object({ name: z.string(), displayName: z.string(), state: z.string(), closesAt: z.string().nullable(), countries: z.array(z.string()) }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const staff = await requireStaffToken(reelm, req.headers.authorization);
      const realms = [];
      for (const name of reelm.policy.realmsOfOperator(staff.operator)) {
        if (!reelm.realms.has(name)) continue;
        const store = reelm.realms.get(name);
        if (!(await isStaffOf(store, staff))) continue;
        const s = await realmStatus(store, 0);
        realms.push({
          name,
          displayName: store.info.displayName,
          state: s.state,
          closesAt: s.closesAt === null ? null : new Date(s.closesAt).toISOString(),
          countries: [...reelm.policy.realm(name).countries],
        });
      }
      const operatorName = reelm.policy.operators.get(staff.operator)?.name ?? staff.operator;
      return { staff: { id: staff.id, name: staff.name, role: staff.role, operator: staff.operator, operatorName }, realms };
    },
  );

  app.get(
    '/api/v1/admin/realms/:realm/residency-audit',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Administrators: run the residency audit of one realm of my operator now (as `reelm audit`: data outside its home realm, unclassified schema, orphaned files).',
        security: [{ bearer: [] }],
        params: realmParams,
        response: {
          200: z.object({
            ok: z.boolean(),
            realm: z.object({ realm: z.string(), tables: z.number(), rows: z.number(), files: z.number(), bytes: z.number() }),
            findings: z.array(z.object({ kind: z.string(), table: z.string().optional(), count: z.number().optional(), message: z.string() })),
            seconds: z.number(),
          }),
        },
      },
    },
    async (req) => {
      const { store } = await requireStaffOfRealm(reelm, req.headers.authorization, req.params.realm, ADMINISTRATORS, 'run the residency audit');
      const report = await auditReelm(reelm, [store]);
      return {
        ok: report.findings.length === 0,
        realm: report.realms[0]!,
        // samples name people: the console shows the kind, the table and the count
        findings: report.findings.map((f) => ({ kind: f.kind, table: f.table, count: f.count, message: f.message })),
        seconds: report.seconds,
      };
    },
  );

  app.get(
    '/api/v1/admin/realms/:realm/audit-log',
    {
      schema: {
        tags: ['staff'],
        summary: 'Administrators: verify one realm’s staff access chain now (as `reelm audit-log verify`), with its signed head.',
        security: [{ bearer: [] }],
        params: realmParams,
        response: {
          200: z.object({
            ok: z.boolean(),
            entries: z.number(),
            redacted: z.number(),
            problems: z.array(z.string()),
            head: z.object({ realm: z.string(), seq: z.number(), hash: z.string(), signedAt: z.string(), signature: z.string(), publicKey: z.string() }),
          }),
        },
      },
    },
    async (req) => {
      const { store } = await requireStaffOfRealm(reelm, req.headers.authorization, req.params.realm, ADMINISTRATORS, 'verify the audit log');
      const r = await verifyChain(store, reelm.auditKey);
      return { ok: r.problems.length === 0, entries: r.entries, redacted: r.redacted, problems: r.problems, head: await signedHead(store, reelm.auditKey) };
    },
  );
};
