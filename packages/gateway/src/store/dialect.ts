// Every difference between SQLite and PostgreSQL that the rest of the gateway would otherwise have to ask
// about, behind one small interface (as Kysely's own DialectAdapter does). Nothing outside store/ looks at
// `Database.kind`; it asks the dialect to lock, to claim, or to run a transaction instead.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './database.ts';
import type { OutboxTable, Schema } from './schema.ts';

/** What a claim of due outbox rows needs: the time now, the lease it sets, and how many rows at most. */
export interface OutboxClaim {
  readonly now: bigint;
  readonly leaseUntil: bigint;
  readonly limit: number;
}

export interface StoreDialect {
  /**
   * Whether `SELECT … FOR UPDATE` takes row locks here. PostgreSQL: yes. SQLite runs one writer at a time,
   * which makes row locks unnecessary, so reads done only to take locks can be skipped there.
   */
  readonly locksRows: boolean;
  /** `query` with `FOR UPDATE` where the database has row locks; unchanged where it has none. */
  lockRows<Q extends { forUpdate(): Q }>(query: Q): Q;
  /** Runs `work` in one transaction, again after a failure this database reports as worth retrying. */
  transaction<T>(db: Kysely<Schema>, work: (tx: Transaction<Schema>) => Promise<T>): Promise<T>;
  /**
   * Leases up to `claim.limit` due pending outbox rows (sets `leased_until`) and returns them, such that two
   * claimers never get the same row.
   */
  claimOutbox(db: Kysely<Schema>, claim: OutboxClaim): Promise<Selectable<OutboxTable>[]>;
}

export function dialectOf(database: Database): StoreDialect {
  return database.kind === 'postgres' ? POSTGRES : SQLITE;
}

const RETRYABLE_PG_CODES = new Set(['40001', '40P01']); // serialization failure, deadlock detected
const TRANSACTION_ATTEMPTS_MAX = 8;

const POSTGRES: StoreDialect = {
  locksRows: true,
  lockRows: (query) => query.forUpdate(),
  // A serialization failure or deadlock is retried with a short randomised pause, so `work` must only touch
  // the database (no side effects outside it).
  async transaction(db, work) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(work);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'string' || !RETRYABLE_PG_CODES.has(code) || attempt >= TRANSACTION_ATTEMPTS_MAX) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  },
  // SKIP LOCKED: a concurrent claimer takes other rows instead of waiting for (and re-sending) these.
  claimOutbox(db, { now, leaseUntil, limit }) {
    return POSTGRES.transaction(db, async (tx) => {
      const due = await tx
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      return tx
        .updateTable('outbox')
        .set({ leased_until: leaseUntil })
        .where('id', 'in', due.map((r) => r.id))
        .returningAll()
        .execute();
    });
  },
};

const SQLITE: StoreDialect = {
  locksRows: false,
  lockRows: (query) => query,
  // The single connection already serialises transactions.
  transaction: (db, work) => db.transaction().execute(work),
  // One UPDATE statement takes the write lock before it reads, so the choice and the lease are atomic even
  // across processes sharing the file.
  claimOutbox: (db, { now, leaseUntil, limit }) => db
    .updateTable('outbox')
    .set({ leased_until: leaseUntil })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((e) => e.or([e('leased_until', 'is', null), e('leased_until', '<', now)]))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit),
    )
    .returningAll()
    .execute(),
};
