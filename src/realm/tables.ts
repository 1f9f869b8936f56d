// The classification registry's vocabulary. Every table of a realm store is
// declared by the module that owns it, with every column classified:
//   public      — shown to anyone who may see the object (handles, captions, counts)
//   protected   — personal data that only the person and justified staff may read
//   operational — machinery with no personal meaning (ids, timestamps, states)
// A table's kind says whose rows it holds:
//   resident — personal data of people whose home is this realm (guarded: the
//              owner column must name a resident, or the write is refused)
//   replica  — public projections of other realms' data, delivered by declared flows
//   system   — realm machinery (jobs, outbox, inbox, audit chain)

export type DataClass = 'public' | 'protected' | 'operational';

export interface TableSpec {
  readonly name: string;
  readonly kind: 'resident' | 'replica' | 'system';
  /** For resident tables: the column holding the owning person's user id. */
  readonly ownerColumn?: string;
  /** Columns (other than the owner column) that hold a person's user id: the row is about that person
   * (whom they follow, who blocked them, who acted), so deleting or moving the person must remove or
   * re-point it. Read by the person-data enumerator (src/rights/person-data.ts). */
  readonly personColumns?: readonly string[];
  readonly purpose: string;
  readonly columns: Readonly<Record<string, DataClass>>;
}

export function defineTables<const T extends readonly TableSpec[]>(tables: T): T {
  for (const t of tables) {
    if (t.kind === 'resident' && !t.ownerColumn) throw new Error(`table ${t.name}: resident tables need an ownerColumn`);
    if (t.ownerColumn && !(t.ownerColumn in t.columns)) throw new Error(`table ${t.name}: owner column ${t.ownerColumn} is not classified`);
    for (const c of t.personColumns ?? []) {
      if (!(c in t.columns)) throw new Error(`table ${t.name}: person column ${c} is not classified`);
      if (c === t.ownerColumn) throw new Error(`table ${t.name}: person column ${c} is already the owner column`);
    }
    if (t.kind === 'replica') {
      const bad = Object.entries(t.columns).filter(([, c]) => c === 'protected');
      if (bad.length) throw new Error(`replica table ${t.name} may not hold protected columns: ${bad.map(([n]) => n).join(', ')}`);
    }
  }
  return tables;
}
