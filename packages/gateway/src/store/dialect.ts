// Every difference between SQLite and PostgreSQL that the rest of the gateway would otherwise have to ask
// about, behind one small interface (as Kysely's own DialectAdapter does). Nothing outside store/ looks at
// `Database.kind`; it asks the dialect to lock, to claim, or to run a transaction instead.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
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
  /** Whether a failed transaction is worth running again (a serialization failure or deadlock). */
  retryable(error: unknown): boolean;
  /** Group-commit batches written at once (store/group-commit.ts): SQLite has one writer. */
  readonly groupCommitsInFlightMax: number;
  /** How the database keeps a commit, as it reports it; not durable when an acknowledged commit can be lost to a power failure. */
  durability(db: Kysely<Schema>): Promise<Durability>;
}

export interface Durability {
  durable: boolean;
  /** The settings that decide it, e.g. `fsync=on, synchronous_commit=on`. */
  settings: string;
}

export function dialectOf(database: Database): StoreDialect {
  return database.kind === 'postgres' ? POSTGRES : SQLITE;
}

const RETRYABLE_PG_CODES = new Set(['40001', '40P01']); // serialization failure, deadlock detected
const TRANSACTION_ATTEMPTS_MAX = 8;

function isRetryablePgError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_PG_CODES.has(code);
}

const POSTGRES: StoreDialect = {
  locksRows: true,
  retryable: isRetryablePgError,
  // Batches lock their rows in one order (store/group-commit.ts), so several may be in flight on the pool.
  groupCommitsInFlightMax: 4,
  lockRows: (query) => query.forUpdate(),
  // A serialization failure or deadlock is retried with a short randomised pause, so `work` must only touch
  // the database (no side effects outside it).
  async transaction(db, work) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(work);
      } catch (error) {
        if (!isRetryablePgError(error) || attempt >= TRANSACTION_ATTEMPTS_MAX) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  },
  // SKIP LOCKED: a concurrent claimer takes other rows instead of waiting for (and re-sending) these.
  async durability(db) {
    const [fsync, synchronousCommit] = [await show(db, 'fsync'), await show(db, 'synchronous_commit')];
    return { durable: fsync === 'on' && synchronousCommit !== 'off', settings: `fsync=${fsync}, synchronous_commit=${synchronousCommit}` };
  },
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

/** The setting's value as the server reports it (`SHOW` answers one row, one column named after it). */
async function show(db: Kysely<Schema>, setting: 'fsync' | 'synchronous_commit'): Promise<string> {
  const { rows } = await sql<Record<string, string>>`show ${sql.raw(setting)}`.execute(db);
  return String(rows[0]?.[setting] ?? '');
}

const SQLITE_SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;

const SQLITE: StoreDialect = {
  locksRows: false,
  retryable: () => false,
  groupCommitsInFlightMax: 1,
  lockRows: (query) => query,
  // The single connection already serialises transactions.
  transaction: (db, work) => db.transaction().execute(work),
  // In WAL mode FULL (or EXTRA) syncs the log on every commit; a database in memory is never durable.
  async durability(db) {
    const mode = String((await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db)).rows[0]?.journal_mode ?? '');
    const level = Number((await sql<{ synchronous: bigint }>`pragma synchronous`.execute(db)).rows[0]?.synchronous ?? 0);
    const synchronous = SQLITE_SYNCHRONOUS[level] ?? String(level);
    return { durable: mode !== 'memory' && level >= 2, settings: `journal_mode=${mode}, synchronous=${synchronous}` };
  },
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
