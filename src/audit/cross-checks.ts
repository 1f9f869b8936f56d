import { sql } from 'kysely';
import type { Reelm } from '../context.ts';
import type { RealmStore } from '../realm/store.ts';
import type { AuditFinding } from './scan.ts';

// Checks that need more than one store:
//  • every person a realm holds is the one the directory routes there — a
//    "ghost" copy (same id or email relabelled as homed in another realm)
//    passes the write guard, which only sees its own realm, but not this;
//  • text that reaches other people or realms (replica tables, follow
//    snapshots, notification excerpts, outbox payloads, delivered or not)
//    holds no protected value. An
//    email is recognised without storing it: its keyed hash is a directory
//    email_key. Password hashes are recognised by their format.

const SAMPLE = 5;
const BATCH = 500;
const EMAIL_RE = /[^\s@<>()[\]\\,;:"'{}]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+/gi;
const PASSWORD_HASH_RE = /\$argon2(?:id|i|d)\$|\$2[aby]\$\d\d\$/;

export async function auditPeople(reelm: Reelm, store: RealmStore, findings: AuditFinding[]) {
  const ghosts: string[] = [];
  const borrowedEmails: string[] = [];
  const people = await store.db.selectFrom('users').select(['id', 'email', 'handle_key']).execute();
  for (let i = 0; i < people.length; i += BATCH) {
    const batch = people.slice(i, i + BATCH);
    const routed = new Map(
      (
        await reelm.directory.db
          .selectFrom('directory_accounts')
          .select(['user_id', 'realm', 'email_key', 'state'])
          .where(
            'user_id',
            'in',
            batch.map((p) => p.id),
          )
          .execute()
      ).map((r) => [r.user_id, r]),
    );
    for (const p of batch) {
      const d = routed.get(p.id);
      if (!d || d.realm !== store.name) ghosts.push(p.id);
      else if (d.state === 'active' && d.email_key !== reelm.directory.emailKey(p.email)) borrowedEmails.push(p.id);
    }
  }
  if (ghosts.length)
    findings.push({
      realm: store.name,
      kind: 'person_not_routed_here',
      table: 'users',
      count: ghosts.length,
      sample: ghosts.slice(0, SAMPLE),
      message: `${ghosts.length} people in ${store.name}'s users table are not routed to ${store.name} by the directory (a copy of someone homed elsewhere, or nobody's account)`,
    });
  if (borrowedEmails.length)
    findings.push({
      realm: store.name,
      kind: 'person_email_not_theirs',
      table: 'users',
      count: borrowedEmails.length,
      sample: borrowedEmails.slice(0, SAMPLE),
      message: `${borrowedEmails.length} people in ${store.name} carry an email the directory does not give to their account`,
    });
}

interface TextSource {
  table: string;
  key: string;
  columns: string[];
}

/** Text in this realm that came from, or goes to, other people and realms. */
function textSources(realmTables: RealmStore['schema']['tables']): TextSource[] {
  const out: TextSource[] = [];
  for (const t of realmTables) {
    if (t.kind !== 'replica') continue;
    const cols = Object.entries(t.columns)
      .filter(([, c]) => c === 'public')
      .map(([n]) => n);
    if (cols.length) out.push({ table: t.name, key: Object.keys(t.columns)[0]!, columns: cols });
  }
  // resident tables holding other people's public snapshots, and notification text
  out.push({ table: 'follows', key: 'followee_id', columns: ['followee_handle', 'followee_display_name'] });
  out.push({ table: 'follower_edges', key: 'follower_id', columns: ['follower_handle', 'follower_display_name'] });
  out.push({ table: 'notifications', key: 'id', columns: ['excerpt', 'actor_handle'] });
  out.push({ table: 'flow_outbox', key: 'id', columns: ['payload'] });
  return out;
}

export async function auditProtectedText(reelm: Reelm, store: RealmStore, findings: AuditFinding[]) {
  const live = new Set((await store.db.introspection.getTables()).map((t) => t.name));
  for (const src of textSources(store.schema.tables)) {
    if (!live.has(src.table)) continue;
    const rows = (
      await sql<Record<string, unknown>>`select ${sql.join([src.key, ...src.columns].map((c) => sql.ref(c)))} from ${sql.table(src.table)}`.execute(store.db)
    ).rows;
    const candidates = new Map<string, string[]>(); // directory key of a candidate email → row keys
    const hashes: string[] = [];
    for (const r of rows) {
      const text = src.columns.map((c) => (r[c] == null ? '' : String(r[c]))).join('\n');
      const id = String(r[src.key]);
      if (PASSWORD_HASH_RE.test(text)) hashes.push(id);
      for (const m of text.match(EMAIL_RE) ?? []) {
        const k = reelm.directory.emailKey(m.trim().normalize('NFC').toLowerCase());
        candidates.set(k, [...(candidates.get(k) ?? []), id]);
      }
    }
    const exposed = new Set<string>();
    const keys = [...candidates.keys()];
    for (let i = 0; i < keys.length; i += BATCH) {
      const known = await reelm.directory.db
        .selectFrom('directory_accounts')
        .select('email_key')
        .where('email_key', 'in', keys.slice(i, i + BATCH))
        .execute();
      for (const k of known) for (const id of candidates.get(k.email_key) ?? []) exposed.add(id);
    }
    for (const [what, ids] of [
      ['an account’s email', [...exposed]],
      ['a password hash', hashes],
    ] as const) {
      if (!ids.length) continue;
      findings.push({
        realm: store.name,
        kind: 'protected_value_in_text',
        table: src.table,
        count: ids.length,
        sample: ids.slice(0, SAMPLE),
        message: `${ids.length} ${src.table} rows of ${store.name} (${src.columns.join(', ')}) hold ${what}`,
      });
    }
  }
}
