import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from './database.ts';
import type { TableSpec } from './tables.ts';

// The residency write guard lives in the database itself, so it holds whoever
// writes — services, scripts, a mistaken migration or raw SQL:
//  • a users row must carry this realm as home_realm and a country homed here;
//  • a row of any resident table must be owned by a person in this realm's users.
// Triggers are installed from the classification registry at start-up (on PostgreSQL only when
// their SQL changed: src/realm/guard-fingerprint.ts).

export const RESIDENCY_VIOLATION = 'residency_violation';

export async function installResidencyGuards(db: Kysely<any>, dialect: SqlDialect, tables: readonly TableSpec[]) {
  if (dialect === 'postgres') await installPostgresFunctions(db);
  for (const t of tables) {
    if (t.kind !== 'resident') continue;
    if (t.name === 'users') await guardUsers(db, dialect);
    else await guardOwned(db, dialect, t.name, t.ownerColumn!);
  }
}

async function guardUsers(db: Kysely<any>, dialect: SqlDialect) {
  if (dialect === 'sqlite') {
    for (const op of ['INSERT', 'UPDATE']) {
      const name = `residency_guard_users_${op.toLowerCase()}`;
      await sql.raw(`DROP TRIGGER IF EXISTS ${name}`).execute(db);
      await sql
        .raw(
          `CREATE TRIGGER ${name} BEFORE ${op} ON users FOR EACH ROW
           WHEN NEW.home_realm IS NOT (SELECT realm FROM realm_meta)
             OR NOT EXISTS (SELECT 1 FROM realm_countries WHERE country = NEW.country)
           BEGIN SELECT RAISE(ABORT, '${RESIDENCY_VIOLATION}: this person''s home is not this realm'); END`,
        )
        .execute(db);
    }
  } else {
    await sql.raw(`DROP TRIGGER IF EXISTS residency_guard_users ON users`).execute(db);
    await sql.raw(`CREATE TRIGGER residency_guard_users BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION reelm_guard_user()`).execute(db);
  }
}

async function guardOwned(db: Kysely<any>, dialect: SqlDialect, table: string, owner: string) {
  if (dialect === 'sqlite') {
    for (const op of ['INSERT', 'UPDATE']) {
      const name = `residency_guard_${table}_${op.toLowerCase()}`;
      await sql.raw(`DROP TRIGGER IF EXISTS ${name}`).execute(db);
      await sql
        .raw(
          `CREATE TRIGGER ${name} BEFORE ${op} ON ${table} FOR EACH ROW
           WHEN NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.${owner})
           BEGIN SELECT RAISE(ABORT, '${RESIDENCY_VIOLATION}: ${table} row belongs to a person whose home is not this realm'); END`,
        )
        .execute(db);
    }
  } else {
    const name = `residency_guard_${table}`;
    await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`).execute(db);
    await sql.raw(`CREATE TRIGGER ${name} BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION reelm_guard_owned('${owner}')`).execute(db);
  }
}

async function installPostgresFunctions(db: Kysely<any>) {
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION reelm_guard_user() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.home_realm IS DISTINCT FROM (SELECT realm FROM realm_meta LIMIT 1)
            OR NOT EXISTS (SELECT 1 FROM realm_countries WHERE country = NEW.country) THEN
           RAISE EXCEPTION '${RESIDENCY_VIOLATION}: this person''s home is not this realm' USING ERRCODE = 'RS001';
         END IF;
         RETURN NEW;
       END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION reelm_guard_owned() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE owner text;
       BEGIN
         owner := to_jsonb(NEW) ->> TG_ARGV[0];
         IF NOT EXISTS (SELECT 1 FROM users WHERE id = owner) THEN
           RAISE EXCEPTION '${RESIDENCY_VIOLATION}: % row belongs to a person whose home is not this realm', TG_TABLE_NAME USING ERRCODE = 'RS001';
         END IF;
         RETURN NEW;
       END $$`,
    )
    .execute(db);
}

export function isResidencyViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === 'RS001' || (e?.message ?? '').includes(RESIDENCY_VIOLATION);
}
