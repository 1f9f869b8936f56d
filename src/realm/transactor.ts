import type { Kysely, Transaction } from 'kysely';
import type { RealmDatabase } from './registry.ts';
import type { RealmStore } from './store.ts';

// One object binds a realm store and the database handle its work runs on, as
// the AT Protocol PDS binds an actor's store (its ActorStoreReader and
// ActorStoreTransactor): a RealmReader reads; a RealmTransactor writes, inside
// one transaction. Code that changes a realm takes a transactor instead of a
// loose (store, trx) pair, so a change cannot be written in one realm's
// transaction and announced through another realm's outbox, and a function
// that only reads says so by asking for a reader.

export class RealmReader {
  readonly store: RealmStore;
  /** the pool for a plain reader; the transaction for a transactor (reads see its own writes) */
  readonly db: Kysely<RealmDatabase>;

  constructor(store: RealmStore, db: Kysely<RealmDatabase> = store.db) {
    this.store = store;
    this.db = db;
  }

  /** the realm's name */
  get realm(): string {
    return this.store.name;
  }
}

export class RealmTransactor extends RealmReader {
  declare readonly db: Transaction<RealmDatabase>;

  /** Binds a transaction already open on `store` (a flow receiver's, a caller's). */
  constructor(store: RealmStore, trx: Transaction<RealmDatabase>) {
    super(store, trx);
  }
}
