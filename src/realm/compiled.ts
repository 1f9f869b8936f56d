import type { Compilable, CompiledQuery, Kysely } from 'kysely';

// Kysely compiles a query's tree to SQL on every execution; for a hot read that
// costs more than the indexed read itself. `compiledOnce` builds the query once
// per database and shape with placeholder values ("slots"), keeps the compiled
// SQL, and executes it with each call's values in the slots' places. The SQL
// text is then identical every time, so the SQLite adapter's statement cache
// (sqlite-dialect.ts) prepares it once too.

const SLOT = '\u0000slot:';

export type Slot = (i: number) => string;

const MAX_SHAPES = 1000;

interface Entry {
  compiled: CompiledQuery;
  /** per compiled parameter: the slot it takes its value from, or -1 (a constant of the shape) */
  from: number[];
}

/**
 * One cache of compiled queries (give each query its own). `run(db, shape, values, build)`: `shape` names
 * everything that changes the SQL (list lengths, flags, any value in the tree that is not a slot, such as
 * today's date); `build(slot)` is called only when the shape is new and must give the same tree for the
 * same shape; `slot(i)` stands for `values[i]` (a plain value: string, number, null) where the query takes
 * a value.
 */
export function compiledOnce<DB>() {
  const byDb = new WeakMap<Kysely<DB>, Map<string, Entry>>();
  return async <R>(db: Kysely<DB>, shape: string, values: readonly unknown[], build: (slot: Slot) => Compilable<R>): Promise<R[]> => {
    let shapes = byDb.get(db);
    if (!shapes) byDb.set(db, (shapes = new Map()));
    let e = shapes.get(shape);
    if (!e) {
      const compiled = build((i) => `${SLOT}${i}`).compile();
      const from = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(SLOT) ? Number(p.slice(SLOT.length)) : -1));
      for (let i = 0; i < values.length; i++) if (!from.includes(i)) throw new Error(`compiledOnce: slot ${i} is not in the query`);
      if (shapes.size >= MAX_SHAPES) shapes.clear(); // shapes naming a date would otherwise pile up
      shapes.set(shape, (e = { compiled, from }));
    }
    const { compiled, from } = e;
    const parameters = compiled.parameters.map((p, j) => (from[j]! >= 0 ? values[from[j]!] : p));
    return (await db.executeQuery<R>({ ...compiled, parameters } as CompiledQuery<R>)).rows;
  };
}
