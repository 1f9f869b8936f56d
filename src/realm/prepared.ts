import type { Compilable, CompiledQuery, Kysely } from 'kysely';

// Hot queries (every signed-in request, every profile view) are built and compiled by
// Kysely once per database handle instead of on every call: building the operation tree
// and compiling it to SQL was about a tenth of a signed-in request's CPU. The query is
// built with placeholder values, compiled, and its parameter list remembered with the
// slots the placeholders landed in; a call only fills those slots. Their SQL text is
// registered too, so the PostgreSQL adapter runs them as named (server-side prepared)
// statements (src/realm/database.ts); SQLite's adapter caches every prepared statement.
//
// Only for queries whose SQL does not depend on the values (no `in (…)` lists of varying
// length, no optional clauses).

const PLACEHOLDER = '\u0000reelm-param:';

/** SQL texts of the prepared queries (named statements on PostgreSQL). */
export const preparedSql = new Set<string>();

type Slot = { param: string } | { fixed: unknown };

export function preparedQuery<DB, P extends string, R>(
  params: readonly P[],
  build: (db: Kysely<DB>, p: Record<P, never>) => Compilable<R>,
): (db: Kysely<DB>, values: Record<P, unknown>) => Promise<R[]> {
  const compiled = new WeakMap<Kysely<DB>, { query: CompiledQuery<R>; slots: Slot[] }>();
  return async (db, values) => {
    let c = compiled.get(db);
    if (!c) {
      const placeholders = Object.fromEntries(params.map((name) => [name, PLACEHOLDER + name])) as Record<P, never>;
      const query = build(db, placeholders).compile();
      const slots: Slot[] = query.parameters.map((v) =>
        typeof v === 'string' && v.startsWith(PLACEHOLDER) ? { param: v.slice(PLACEHOLDER.length) } : { fixed: v },
      );
      const missing = params.filter((name) => !slots.some((s) => 'param' in s && s.param === name));
      if (missing.length) throw new Error(`prepared query does not use its parameter(s) ${missing.join(', ')}: ${query.sql}`);
      preparedSql.add(query.sql);
      compiled.set(db, (c = { query, slots }));
    }
    const parameters = c.slots.map((s) => ('param' in s ? values[s.param as P] : s.fixed));
    return (await db.executeQuery<R>({ ...c.query, parameters })).rows;
  };
}
