import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

// Kysely's SqliteDialect speaks the better-sqlite3 shape; node:sqlite is close
// enough that a thin adapter lets us use Node's built-in SQLite (no native build).

function toSqlite(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as SQLInputValue;
}

class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    this.reader = stmt.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#stmt.all(...parameters.map(toSqlite));
  }
  run(parameters: ReadonlyArray<unknown>) {
    const r = this.#stmt.run(...parameters.map(toSqlite));
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#stmt.iterate(...parameters.map(toSqlite));
  }
}

export function openSqlite(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  // WAL lets readers in other processes (workers, the audit command) run beside the server.
  // secure_delete: deleted rows are overwritten with zeros, not left in free space (erasure, docs/RESIDENCY.md).
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;');
  return db;
}

// Kysely compiles the same SQL text again and again; preparing it once per
// connection saves most of a simple query's cost.
const STATEMENT_CACHE_SIZE = 500;

export function nodeSqliteDialect(db: DatabaseSync): SqliteDialect {
  const cache = new Map<string, NodeSqliteStatement>();
  const adapter: SqliteDatabase = {
    close: () => db.close(),
    prepare: (sql: string) => {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = new NodeSqliteStatement(db.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
  return new SqliteDialect({ database: adapter });
}
