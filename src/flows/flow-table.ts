import type { TableSpec } from '../realm/tables.ts';
import type { FlowDeclaration } from './declarations.ts';

// THE table of flows allowed between realms (R5), assembled by the composition
// root (src/composition.ts) from the flows each module declares. Nothing else
// crosses a realm boundary: emitFlow refuses any flow not listed here and any
// field not declared in it; protected data cannot be declared.
// docs/RESIDENCY.md publishes this table; keep the two in step.

export class FlowTable {
  readonly all: readonly FlowDeclaration[];
  /** Every column name classified protected anywhere in a realm store: refused in any payload that does not declare it. */
  readonly protectedNames: ReadonlySet<string>;
  readonly #byName: ReadonlyMap<string, FlowDeclaration>;

  constructor(declarations: readonly FlowDeclaration[], tables: readonly TableSpec[]) {
    const byName = new Map<string, FlowDeclaration>();
    for (const d of declarations) {
      if (byName.has(d.name)) throw new Error(`flow ${d.name} is declared twice`);
      byName.set(d.name, d);
    }
    this.all = declarations;
    this.#byName = byName;
    this.protectedNames = new Set(
      tables.flatMap((t) =>
        Object.entries(t.columns)
          .filter(([, c]) => c === 'protected')
          .map(([n]) => n),
      ),
    );
  }

  get(name: string): FlowDeclaration | undefined {
    return this.#byName.get(name);
  }
}
