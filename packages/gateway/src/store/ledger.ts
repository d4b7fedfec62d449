// The wallet ledger, double entry in the manner of TigerBeetle: accounts keep four running totals, and
// every change is an immutable transfer that debits one account and credits one. Every function works
// inside the caller's transaction, so a caller can combine ledger moves with its own rows atomically.
//
// Balances are never read and then written: each debit is one conditional UPDATE that only matches while
// the account can afford it, so concurrent moves cannot overdraw an account on either database (the CHECK
// constraint in the migration is the backstop). A move updates its debit account first and its credit
// account last: a failed debit then touches nothing, and the busiest rows (a merchant's settlement
// shards, store/settlement-shards.ts) stay locked only from the end of a move to the commit. Two moves
// can wait on each other only when money flows both ways between the same two accounts at once; PostgreSQL
// detects that deadlock and inTransaction retries the loser.
import { sql } from 'kysely';
import { DomainError } from '../domain/errors.ts';
import {
  GET_BALANCES_ACCOUNTS_MAX,
  LIST_TRANSFERS_LIMIT_MAX,
  assertAmount,
  assertId,
  assertReference,
  assertTime,
  availableBalance,
  assertSameCurrency,
  isAccountKind,
  isFundingAccountKind,
  overdraftAllowed,
  postedBalance,
  type AccountKind,
  type FundingAccountKind,
} from '../domain/ledger-rules.ts';
import type { Database } from './database.ts';
import { dialectOf } from './dialect.ts';
import type { Tx } from './transaction.ts';

export type { AccountKind, FundingAccountKind, TransferKind } from '../domain/ledger-rules.ts';

export interface AccountBalance {
  id: bigint;
  kind: AccountKind;
  /** What may be spent now: credits_posted − debits_posted − debits_pending. */
  available: bigint;
  /** Outgoing holds (debits_pending). */
  held: bigint;
  /** Incoming holds (credits_pending); not spendable until posted. */
  incomingHeld: bigint;
  /** credits_posted − debits_posted. */
  posted: bigint;
}

export interface TransferInput {
  debitAccountId: bigint;
  creditAccountId: bigint;
  amount: bigint;
  reference?: string;
  now: number;
  /**
   * The accounts' kinds when the caller knows them (a payment: a wallet's cash account and a merchant's
   * settlement account, whose kinds are fixed when they are created). The currency rule is then checked on
   * them without reading the accounts.
   */
  kinds?: { debit: AccountKind; credit: AccountKind };
}

export interface TransferEntry {
  id: bigint;
  kind: string;
  amount: bigint;
  /** Seen from the listed account. */
  direction: 'debit' | 'credit';
  counterpartyAccountId: bigint;
  pendingId: bigint | null;
  reference: string | null;
  createdAt: number;
}

type DebitColumn = 'debits_pending' | 'debits_posted';
type CreditColumn = 'credits_pending' | 'credits_posted';

export async function createAccount(tx: Tx, kind: AccountKind, now: number): Promise<bigint> {
  if (!isAccountKind(kind)) throw new Error(`unknown account kind "${String(kind)}"`);
  assertTime(now);
  const row = await tx
    .insertInto('accounts')
    .values({
      kind,
      debits_pending: 0n,
      debits_posted: 0n,
      credits_pending: 0n,
      credits_posted: 0n,
      overdraft_allowed: overdraftAllowed(kind) ? 1n : 0n,
      created_at: BigInt(now),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The single system account of a funding kind, created on first use. */
export async function fundingAccount(tx: Tx, kind: FundingAccountKind, now: number): Promise<bigint> {
  if (!isFundingAccountKind(kind)) throw new Error(`"${String(kind)}" is not a funding account kind`);
  assertTime(now);
  const find = () =>
    tx.selectFrom('accounts').select('id').where('kind', '=', kind).where('overdraft_allowed', '=', 1n).executeTakeFirst();
  const existing = await find();
  if (existing) return existing.id;
  // A concurrent creator is resolved by the unique index accounts_system_kind_once: the loser inserts
  // nothing (on PostgreSQL after waiting for the winner to commit) and reads the winner's row.
  const inserted = await tx
    .insertInto('accounts')
    .values({
      kind,
      debits_pending: 0n,
      debits_posted: 0n,
      credits_pending: 0n,
      credits_posted: 0n,
      overdraft_allowed: 1n,
      created_at: BigInt(now),
    })
    .onConflict((oc) => oc.column('kind').where(sql<boolean>`overdraft_allowed = 1`).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const winner = await find();
  if (!winner) throw new Error(`funding account ${kind} conflicted on insert but cannot be read`);
  return winner.id;
}

/** An immediate transfer. Throws DomainError('insufficient_funds') and changes nothing when the debit account cannot afford it. */
export async function transfer(tx: Tx, t: TransferInput): Promise<bigint> {
  return move(tx, t, 'posted');
}

/** Reserves `amount` on the debit account for the credit account; returns the hold's id for postHold/voidHold. */
export async function hold(tx: Tx, t: TransferInput): Promise<bigint> {
  return move(tx, t, 'pending');
}

/** Completes a hold: its amount leaves the debit account and reaches the credit account. */
export async function postHold(tx: Tx, pendingId: bigint, now: number): Promise<bigint> {
  return resolve(tx, pendingId, now, 'post_pending');
}

/** Cancels a hold: its amount becomes available to the debit account again. */
export async function voidHold(tx: Tx, pendingId: bigint, now: number): Promise<bigint> {
  return resolve(tx, pendingId, now, 'void_pending');
}

/**
 * PostgreSQL: row-locks these accounts in ascending id order, in one statement (SQLite runs one writer at a
 * time and needs none of this). Every transaction that moves money takes its rows in one global order — the
 * wallets' accounts first, then the merchants' — so the balances read next are current (the split and the
 * 01 are exact) and no two transactions wait on each other in a circle. Should two take a wallet row and a
 * merchant row in opposite orders, PostgreSQL stalls both for deadlock_timeout (1 s) before aborting one:
 * 240 concurrent payments at one wallet once took 90 s instead of 3 that way.
 */
export async function lockAccounts(database: Database, tx: Tx, accountIds: readonly bigint[]): Promise<void> {
  const dialect = dialectOf(database);
  if (!dialect.locksRows || accountIds.length === 0) return;
  const ids = [...new Set(accountIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await dialect.lockRows(tx.selectFrom('accounts').select('id').where('id', 'in', ids).orderBy('id')).execute();
}

/** The balances of the accounts that exist among `accountIds`, keyed by id. */
export async function getBalances(tx: Tx, accountIds: readonly bigint[]): Promise<Map<bigint, AccountBalance>> {
  const ids = [...new Set(accountIds)];
  for (const id of ids) assertId(id, 'account id');
  if (ids.length > GET_BALANCES_ACCOUNTS_MAX) throw new Error(`at most ${GET_BALANCES_ACCOUNTS_MAX} accounts per balance query`);
  const balances = new Map<bigint, AccountBalance>();
  if (ids.length === 0) return balances;
  const rows = await tx.selectFrom('accounts').selectAll().where('id', 'in', ids).execute();
  for (const row of rows) {
    if (!isAccountKind(row.kind)) throw new Error(`account ${row.id} has unknown kind "${row.kind}"`);
    const totals = {
      debitsPending: integer(row.debits_pending),
      debitsPosted: integer(row.debits_posted),
      creditsPending: integer(row.credits_pending),
      creditsPosted: integer(row.credits_posted),
    };
    balances.set(row.id, {
      id: row.id,
      kind: row.kind,
      available: availableBalance(totals),
      held: totals.debitsPending,
      incomingHeld: totals.creditsPending,
      posted: postedBalance(totals),
    });
  }
  return balances;
}

/** The account's transfers, newest first; pass the last id seen as `beforeId` for the next page. */
export async function listTransfers(
  tx: Tx,
  accountId: bigint,
  options: { limit: number; beforeId?: bigint },
): Promise<TransferEntry[]> {
  assertId(accountId, 'account id');
  const { limit, beforeId } = options;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_TRANSFERS_LIMIT_MAX) {
    throw new Error(`transfer list limit must be 1..${LIST_TRANSFERS_LIMIT_MAX}, got ${limit}`);
  }
  if (beforeId !== undefined) assertId(beforeId, 'beforeId');
  // Two keyset scans, one per side, each served by its (account, id) index; an OR of both sides would not be.
  const side = (column: 'debit_account_id' | 'credit_account_id') => {
    let query = tx.selectFrom('transfers').selectAll().where(column, '=', accountId);
    if (beforeId !== undefined) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  };
  const debits = await side('debit_account_id');
  const credits = await side('credit_account_id');
  return [...debits, ...credits]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, limit)
    .map((row) => {
      const direction = row.debit_account_id === accountId ? 'debit' : 'credit';
      return {
        id: row.id,
        kind: row.kind,
        amount: row.amount,
        direction,
        counterpartyAccountId: direction === 'debit' ? row.credit_account_id : row.debit_account_id,
        pendingId: row.pending_id,
        reference: row.reference,
        createdAt: Number(row.created_at),
      };
    });
}

async function move(tx: Tx, t: TransferInput, kind: 'posted' | 'pending'): Promise<bigint> {
  const { debitAccountId, creditAccountId, amount, reference, now } = t;
  assertId(debitAccountId, 'debit account id');
  assertId(creditAccountId, 'credit account id');
  assertAmount(amount);
  assertReference(reference);
  assertTime(now);
  if (debitAccountId === creditAccountId) throw new Error(`account ${debitAccountId} cannot pay itself`);
  if (t.kinds) assertSameCurrency(t.kinds.debit, t.kinds.credit, { debit: debitAccountId, credit: creditAccountId });
  else await assertSameCurrencyOfAccounts(tx, debitAccountId, creditAccountId);

  const debitColumn: DebitColumn = kind === 'posted' ? 'debits_posted' : 'debits_pending';
  const creditColumn: CreditColumn = kind === 'posted' ? 'credits_posted' : 'credits_pending';
  const debited = await tx
    .updateTable('accounts')
    .set(debitColumn, sql<bigint>`${sql.ref(debitColumn)} + ${amount}`)
    .where('id', '=', debitAccountId)
    .where(sql<boolean>`(overdraft_allowed = 1 or debits_posted + debits_pending + ${amount} <= credits_posted)`)
    .executeTakeFirst();
  if (debited.numUpdatedRows !== 1n) {
    throw new DomainError('insufficient_funds', `account ${debitAccountId} cannot afford ${amount}`, {
      account_id: String(debitAccountId),
      amount: String(amount),
    });
  }
  await addToCredits(tx, creditAccountId, creditColumn, amount);

  const row = await tx
    .insertInto('transfers')
    .values({
      debit_account_id: debitAccountId,
      credit_account_id: creditAccountId,
      amount,
      kind,
      pending_id: null,
      reference: reference ?? null,
      created_at: BigInt(now),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function resolve(tx: Tx, pendingId: bigint, now: number, kind: 'post_pending' | 'void_pending'): Promise<bigint> {
  assertId(pendingId, 'pending transfer id');
  assertTime(now);
  const pending = await tx
    .selectFrom('transfers')
    .select(['debit_account_id', 'credit_account_id', 'amount', 'reference'])
    .where('id', '=', pendingId)
    .where('kind', '=', 'pending')
    .executeTakeFirst();
  if (!pending) throw new DomainError('hold_unknown', `no hold with id ${pendingId}`, { pending_id: String(pendingId) });

  // The unique index transfers_pending_once admits one resolution per hold. A concurrent resolver waits
  // here for the first to commit and then inserts nothing; no SQL error, so the caller's transaction stays usable.
  const inserted = await tx
    .insertInto('transfers')
    .values({
      debit_account_id: pending.debit_account_id,
      credit_account_id: pending.credit_account_id,
      amount: pending.amount,
      kind,
      pending_id: pendingId,
      reference: pending.reference,
      created_at: BigInt(now),
    })
    .onConflict((oc) => oc.column('pending_id').where(sql<boolean>`pending_id is not null`).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    const earlier = await tx.selectFrom('transfers').select(['id', 'kind']).where('pending_id', '=', pendingId).executeTakeFirst();
    throw new DomainError('hold_resolved', `hold ${pendingId} is already resolved`, {
      pending_id: String(pendingId),
      resolution: earlier?.kind ?? 'unknown',
      resolution_id: earlier ? String(earlier.id) : '',
    });
  }

  const { amount } = pending;
  const post = kind === 'post_pending';
  const updateDebit = () =>
    expectOneRow(
      tx
        .updateTable('accounts')
        .set('debits_pending', sql<bigint>`debits_pending - ${amount}`)
        .$if(post, (q) => q.set('debits_posted', sql<bigint>`debits_posted + ${amount}`))
        .where('id', '=', pending.debit_account_id)
        .executeTakeFirst(),
      pending.debit_account_id,
    );
  const updateCredit = () =>
    expectOneRow(
      tx
        .updateTable('accounts')
        .set('credits_pending', sql<bigint>`credits_pending - ${amount}`)
        .$if(post, (q) => q.set('credits_posted', sql<bigint>`credits_posted + ${amount}`))
        .where('id', '=', pending.credit_account_id)
        .executeTakeFirst(),
      pending.credit_account_id,
    );
  await updateDebit();
  await updateCredit();
  return inserted.id;
}

async function addToCredits(tx: Tx, accountId: bigint, column: CreditColumn, amount: bigint): Promise<void> {
  await expectOneRow(
    tx.updateTable('accounts').set(column, sql<bigint>`${sql.ref(column)} + ${amount}`).where('id', '=', accountId).executeTakeFirst(),
    accountId,
  );
}

async function expectOneRow(update: Promise<{ numUpdatedRows: bigint }>, accountId: bigint): Promise<void> {
  const { numUpdatedRows } = await update;
  if (numUpdatedRows !== 1n) throw new Error(`ledger update of account ${accountId} touched ${numUpdatedRows} rows`);
}

async function assertSameCurrencyOfAccounts(tx: Tx, debitAccountId: bigint, creditAccountId: bigint): Promise<void> {
  const rows = await tx.selectFrom('accounts').select(['id', 'kind']).where('id', 'in', [debitAccountId, creditAccountId]).execute();
  const kindOf = (id: bigint) => {
    const kind = rows.find((r) => r.id === id)?.kind;
    if (kind === undefined) throw new Error(`account ${id} does not exist`);
    if (!isAccountKind(kind)) throw new Error(`account ${id} has unknown kind "${kind}"`);
    return kind;
  };
  assertSameCurrency(kindOf(debitAccountId), kindOf(creditAccountId), { debit: debitAccountId, credit: creditAccountId });
}

/** An assertion that stays on: a total read back as anything but a bigint means the column overflowed. */
function integer(value: bigint): bigint {
  if (typeof value !== 'bigint') throw new Error(`ledger total ${String(value)} is not an integer`);
  return value;
}
