import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { SqlDialect } from './database.ts';
import { defineTables, type TableSpec } from './tables.ts';

// A hold on one person's data in this realm: while their id is in held_people, triggers on every
// resident table refuse any insert, update or delete of a row they own, whoever issues it (their
// own requests, flows from other realms, jobs). A move (src/moves/) holds the person in the source
// realm from before it copies until it erases, so nothing can be written there and then lost: a
// write in that window is refused (the API answers 503 account_moving, retryable) — R9.

export interface HeldPeopleTable {
  user_id: string;
  reason: string;
  since: number;
}
export interface PersonHoldTables {
  held_people: HeldPeopleTable;
}

export const personHoldTables = defineTables([
  {
    name: 'held_people',
    kind: 'system',
    // the person's id: export, deletion and the registry checks find these rows (src/rights/person-data.ts)
    personColumns: ['user_id'],
    purpose: 'people whose data this realm must not change (a move out of the realm is copying it)',
    columns: { user_id: 'operational', reason: 'operational', since: 'operational' },
  },
]);

export const personHoldMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('held_people')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .execute();
  },
};

export const PERSON_HELD = 'person_held';

export function isPersonHeldError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown };
  return e?.code === 'RS003' || (e?.message ?? '').includes(PERSON_HELD) || (e?.cause !== undefined && e.cause !== err && isPersonHeldError(e.cause));
}

/** Whether the person's data is held in this realm (a refusal then speaks of their own account). */
export async function isPersonHeld(db: Kysely<any>, userId: string): Promise<boolean> {
  return (await db.selectFrom('held_people').select('user_id').where('user_id', '=', userId).executeTakeFirst()) !== undefined;
}

export async function installPersonHolds(db: Kysely<any>, dialect: SqlDialect, tables: readonly TableSpec[]) {
  const resident = tables.filter((t) => t.kind === 'resident' && t.ownerColumn);
  const refuse = `${PERSON_HELD}: this person's account is being moved; nothing of theirs is written until the move ends`;
  if (dialect === 'sqlite') {
    for (const t of resident) {
      const o = t.ownerColumn!;
      const rows: [string, string][] = [
        ['insert', `NEW.${o}`],
        ['update', `NEW.${o}) OR EXISTS (SELECT 1 FROM held_people WHERE user_id = OLD.${o}`],
        ['delete', `OLD.${o}`],
      ];
      for (const [op, owner] of rows) {
        await sql
          .raw(
            `CREATE TRIGGER IF NOT EXISTS person_hold_${t.name}_${op} BEFORE ${op.toUpperCase()} ON ${t.name} FOR EACH ROW
             WHEN EXISTS (SELECT 1 FROM held_people WHERE user_id = ${owner})
             BEGIN SELECT RAISE(ABORT, '${refuse.replace(/'/g, "''")}'); END`,
          )
          .execute(db);
      }
    }
    return;
  }
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION reelm_person_hold() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE owner text;
       BEGIN
         IF EXISTS (SELECT 1 FROM held_people) THEN
           IF TG_OP = 'DELETE' THEN owner := to_jsonb(OLD) ->> TG_ARGV[0]; ELSE owner := to_jsonb(NEW) ->> TG_ARGV[0]; END IF;
           IF EXISTS (SELECT 1 FROM held_people WHERE user_id = owner)
              OR (TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM held_people WHERE user_id = to_jsonb(OLD) ->> TG_ARGV[0])) THEN
             RAISE EXCEPTION '${refuse.replace(/'/g, "''")}' USING ERRCODE = 'RS003';
           END IF;
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END $$`,
    )
    .execute(db);
  for (const t of resident) {
    await sql
      .raw(
        `CREATE OR REPLACE TRIGGER person_hold_${t.name} BEFORE INSERT OR UPDATE OR DELETE ON ${t.name} FOR EACH ROW EXECUTE FUNCTION reelm_person_hold('${t.ownerColumn}')`,
      )
      .execute(db);
  }
}
