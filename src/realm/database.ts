import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresAdapter, PostgresDialect, type Dialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.ts';
import { nodeSqliteDialect, openSqlite } from './sqlite-dialect.ts';

// One Kysely code path for both backends: SQLite (embedded default, one file
// per realm) and PostgreSQL (one database per realm).

export type SqlDialect = 'sqlite' | 'postgres';

// int8 (counts, millisecond timestamps) as numbers rather than strings; our values fit in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export function openDatabase<DB>(config: DatabaseConfig): { db: Kysely<DB>; dialect: SqlDialect } {
  let dialect: Dialect;
  if (config.kind === 'sqlite') {
    if (config.file !== ':memory:') mkdirSync(dirname(config.file), { recursive: true });
    dialect = nodeSqliteDialect(openSqlite(config.file));
  } else {
    const pool = new pg.Pool({ connectionString: config.url, max: 10 });
    // An idle connection ended by the server (restart, failover, an operator's terminate) is
    // emitted on the pool; unhandled, it would take the whole process down. The pool drops
    // that client and the next query opens a new one, so noting it is enough.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL connection lost: ${err.message}`, 'ReelmDatabaseWarning'));
    dialect = new PostgresDialect({ pool });
  }
  return { db: new Kysely<DB>({ dialect }), dialect: config.kind };
}

export function dialectOf(db: Kysely<any>): SqlDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** True for a unique-constraint violation on either backend. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errcode?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/.test(e?.message ?? '');
}
