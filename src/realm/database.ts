import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresAdapter, PostgresDialect, type Dialect } from 'kysely';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { preparedSql } from './prepared.ts';
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
    dialect = new PostgresDialect({ pool: namedStatementPool(pool) });
  }
  return { db: new Kysely<DB>({ dialect }), dialect: config.kind };
}

/**
 * The prepared queries (src/realm/prepared.ts) run as named statements: PostgreSQL parses
 * and plans each once per connection instead of on every call. Everything else stays
 * unnamed (its SQL may vary with the values). A statement whose cached plan no longer fits
 * the table (a migration changed its columns under a running process) is retried unnamed
 * and its connection is closed on release, so the next one prepares it afresh.
 */
function namedStatementPool(pool: pg.Pool) {
  const names = new Map<string, string>();
  const nameOf = (sql: string) => {
    if (!preparedSql.has(sql)) return undefined;
    let name = names.get(sql);
    if (!name) names.set(sql, (name = `reelm_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`));
    return name;
  };
  // one wrapper per pooled connection (Kysely keys its connection state by the client object)
  const wrappers = new WeakMap<pg.PoolClient, { query: pg.PoolClient['query']; release: () => void }>();
  const wrap = (client: pg.PoolClient) => {
    let stale = false;
    const named = async (name: string, text: string, values: unknown[] | undefined) => {
      try {
        return await client.query({ name, text, values });
      } catch (err) {
        if ((err as { code?: string }).code !== '0A000') throw err; // "cached plan must not change result type"
        stale = true;
        return client.query(text, values);
      }
    };
    const query = ((textOrCursor: unknown, values?: unknown[]) => {
      const name = typeof textOrCursor === 'string' ? nameOf(textOrCursor) : undefined;
      // unnamed queries and cursors go straight through (a cursor is returned as is, not awaited)
      return name ? named(name, textOrCursor as string, values) : client.query(textOrCursor as string, values);
    }) as pg.PoolClient['query'];
    const release = () => {
      if (stale) wrappers.delete(client);
      client.release(stale || undefined);
    };
    return { query, release };
  };
  return {
    Client: pg.Client,
    options: pool.options,
    end: () => pool.end(),
    async connect() {
      const client = await pool.connect();
      let w = wrappers.get(client);
      if (!w) wrappers.set(client, (w = wrap(client)));
      return w;
    },
  };
}

export function dialectOf(db: Kysely<any>): SqlDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** True for a unique-constraint violation on either backend. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errcode?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/.test(e?.message ?? '');
}
