// Group commit: on a durable database every commit waits for its fsync, so concurrent state changes share
// one. A unit of work that arrives while a batch is being written waits for the next batch; the next batch
// takes everything waiting (up to the batch size) into one transaction, each unit in its own savepoint, so
// one refusal (insufficient funds, a reused bill_no, a constraint) rolls back only itself and answers its own
// error while the others commit. Nothing is answered before its batch has committed. When nothing else is
// being written a unit starts at once, alone: no added latency when idle; under load the latency added is
// at most one batch's write (on SQLite plus the rest of the event loop's turn, see #afterBatch). Its units:
// a payment's creation, settlement, cancellation and expiry, unlinking, and a link's creation.
import { randomInt } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from './database.ts';
import { dialectOf } from './dialect.ts';
import { lockAccounts } from './ledger.ts';
import type { Schema } from './schema.ts';
import { lockWallets } from './wallets.ts';

/** What a unit learns of its batch. */
export interface Batch {
  /**
   * Counts this process's batches, from a random start (so that two gateway processes do not step through
   * the same rows together). Batches in flight together nearly always have consecutive lanes, so units that
   * spread their writes over n ≥ groupCommitsInFlightMax rows by lane % n (a merchant's settlement shards)
   * write rows that no other batch in flight writes, and do not queue.
   */
  lane: number;
}

type Work<T> = (tx: Transaction<Schema>, batch: Batch) => Promise<T>;

/**
 * The rows a unit will change that another unit may change too. PostgreSQL: a batch locks every unit's rows
 * at its start — wallet records, then wallets' accounts, then merchants' accounts, each in ascending id
 * order — the one order every transaction that moves money or links takes them in. Locked as the units come
 * instead, two batches could each hold a row the other needs next (one credits a merchant's cash account
 * then another's points account, the other the reverse), a deadlock PostgreSQL resolves only after
 * deadlock_timeout. Rows no other unit can touch (a new payment, a session's own row) need no entry: every
 * unit that touches a payment locks its accounts, and every unit that touches a link or a wallet's PIN
 * record locks the wallet.
 */
export interface UnitLocks {
  /** Wallets (`wallets.id`) whose record or links the unit changes: a PIN success, a link made or ended. */
  walletRecords?: readonly bigint[];
  /** Wallets' ledger accounts the unit debits or releases. */
  wallets?: readonly bigint[];
  /** Merchants' ledger accounts the unit credits. */
  merchants?: readonly bigint[];
}

/** A unit's locks, or how they follow from its batch's lane. */
export type UnitLocksOf = UnitLocks | ((batch: Batch) => UnitLocks);

interface Unit {
  work: Work<unknown>;
  locks: UnitLocksOf;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What a database's group commit has done so far: batches committed (or failed) and the units in them. */
export interface GroupCommitStats {
  batches: number;
  units: number;
}

class GroupCommit {
  readonly #waiting: Unit[] = [];
  #inFlight = 0;
  /** A batch ended in this turn of the event loop: the next one starts at the turn's end (see #afterBatch). */
  #startAtTurnEnd = false;
  readonly stats: GroupCommitStats = { batches: 0, units: 0 };
  readonly #firstLane = randomInt(0, 2 ** 30);

  constructor(private readonly database: Database, private readonly inFlightMax: number) {}

  run<T>(work: Work<T>, batchMax: number, locks: UnitLocksOf): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ work, locks, resolve: resolve as (value: unknown) => void, reject });
      this.#pump(batchMax);
    });
  }

  #pump(batchMax: number): void {
    if (this.#startAtTurnEnd) return;
    while (this.#inFlight < this.inFlightMax && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, Math.max(1, batchMax));
      this.#inFlight += 1;
      void this.#commit(batch).finally(() => {
        this.#inFlight -= 1;
        this.#afterBatch(batchMax);
      });
    }
  }

  /**
   * SQLite's driver writes synchronously: the event loop stands still through a batch's commit, so the
   * requests that arrive meanwhile are read only after it, one callback after another, and each would find
   * nothing in flight and commit alone. So once a batch has ended, the next starts when this turn of the
   * event loop ends (setImmediate, after the I/O callbacks already due): every request read by then joins it.
   * A unit arriving in a turn in which no batch ended (an idle gateway) still starts at once.
   */
  #afterBatch(batchMax: number): void {
    if (this.#startAtTurnEnd) return;
    this.#startAtTurnEnd = true;
    setImmediate(() => {
      this.#startAtTurnEnd = false;
      this.#pump(batchMax);
    });
  }

  async #commit(batch: Unit[]): Promise<void> {
    const info: Batch = { lane: this.#firstLane + this.stats.batches };
    this.stats.batches += 1;
    this.stats.units += batch.length;
    const dialect = dialectOf(this.database);
    const locks = batch.map((unit) => (typeof unit.locks === 'function' ? unit.locks(info) : unit.locks));
    let outcomes: Outcome[] = [];
    try {
      // A retried transaction (PostgreSQL serialization failure, deadlock) runs every unit again.
      await dialect.transaction(this.database.db, async (tx) => {
        outcomes = [];
        await lockWallets(this.database, tx, locks.flatMap((unit) => unit.walletRecords ?? []));
        for (const side of ['wallets', 'merchants'] as const) await lockAccounts(this.database, tx, locks.flatMap((unit) => unit[side] ?? []));
        for (const unit of batch) outcomes.push(await runInSavepoint(tx, (t) => unit.work(t, info), dialect.retryable));
      });
    } catch (error) {
      for (const unit of batch) unit.reject(error);
      return;
    }
    batch.forEach((unit, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
  }
}

/** A unit's refusal is its own; a failure worth retrying (a deadlock) fails the batch, which runs again. */
async function runInSavepoint(tx: Transaction<Schema>, work: (tx: Transaction<Schema>) => Promise<unknown>, retryable: (error: unknown) => boolean): Promise<Outcome> {
  await sql`savepoint group_commit_unit`.execute(tx);
  try {
    const value = await work(tx);
    await sql`release savepoint group_commit_unit`.execute(tx);
    return { ok: true, value };
  } catch (error) {
    if (retryable(error)) throw error;
    await sql`rollback to savepoint group_commit_unit`.execute(tx);
    await sql`release savepoint group_commit_unit`.execute(tx);
    return { ok: false, error };
  }
}

const committers = new WeakMap<Database, GroupCommit>();

/**
 * Runs `work` as one unit of the database's group commit (see above); resolves once its batch has
 * committed. `work` must only touch the database through `tx`: it may run again if the batch is retried.
 */
export function inGroupCommit<T>(database: Database, batchMax: number, work: Work<T>, locks: UnitLocksOf = {}): Promise<T> {
  return committerOf(database).run(work, batchMax, locks);
}

export function groupCommitStats(database: Database): GroupCommitStats {
  return { ...committerOf(database).stats };
}

function committerOf(database: Database): GroupCommit {
  let committer = committers.get(database);
  if (!committer) committers.set(database, (committer = new GroupCommit(database, dialectOf(database).groupCommitsInFlightMax)));
  return committer;
}
