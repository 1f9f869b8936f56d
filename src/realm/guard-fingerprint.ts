import { createHash } from 'node:crypto';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';

// Reinstalling the guard and hold triggers takes an exclusive lock on every table, which
// deadlocks against live traffic when a PostgreSQL process of a busy realm restarts. So a
// start-up first asks what the installers would run (recorded, not executed) and reinstalls
// only when that SQL changed since the last install or one of its triggers is missing.

export type GuardInstaller = (db: Kysely<any>) => Promise<void>;

/** The statements `install` runs on PostgreSQL, recorded without a database. */
export async function guardStatements(install: GuardInstaller): Promise<string[]> {
  const statements: string[] = [];
  const recorder = new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (e) => void statements.push(e.query.sql),
  });
  await install(recorder);
  await recorder.destroy();
  return statements;
}

export const fingerprintOf = (statements: readonly string[]) => createHash('sha256').update(statements.join('\n;\n')).digest('hex');

/** Trigger names the statements create (`CREATE [OR REPLACE] TRIGGER name`). */
export function triggerNames(statements: readonly string[]): string[] {
  return statements.flatMap((s) => /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TRIGGER\s+(\w+)/i.exec(s)?.[1] ?? []);
}

/** Whether every named trigger exists in this database (a dropped one means: reinstall). */
export async function triggersPresent(db: Kysely<any>, names: readonly string[]): Promise<boolean> {
  if (names.length === 0) return true;
  const found = await sql<{
    n: string;
  }>`select count(distinct tgname)::text as n from pg_trigger where not tgisinternal and tgname = any(${[...names]})`.execute(db);
  return Number(found.rows[0]?.n ?? 0) === new Set(names).size;
}
