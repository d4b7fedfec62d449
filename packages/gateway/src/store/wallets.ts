import type { Selectable } from 'kysely';
import type { Link } from '../domain/link.ts';
import type { Wallet } from '../domain/wallet.ts';
import type { Database } from './database.ts';
import { dialectOf } from './dialect.ts';
import { createAccount, fundingAccount, getBalances, transfer } from './ledger.ts';
import { toLink } from './links.ts';
import type { WalletTable } from './schema.ts';
import type { Tx } from './transaction.ts';

export interface WalletInput {
  phone: string;
  name: string;
  pinHash: string;
  cash: bigint;
  points: bigint;
  sandbox: boolean;
}

/** Creates the wallet with its cash and points accounts, funded from the operator's issuing accounts. */
export async function insertWallet(tx: Tx, input: WalletInput, now: number): Promise<Wallet> {
  const cashAccountId = await createAccount(tx, 'wallet_cash', now);
  const pointsAccountId = await createAccount(tx, 'wallet_points', now);
  const row = await tx.insertInto('wallets').values({
    phone: input.phone,
    name: input.name,
    pin_hash: input.pinHash,
    pin_failures: 0n,
    pin_locked_until: null,
    status: 'active',
    cash_account_id: cashAccountId,
    points_account_id: pointsAccountId,
    phone_version: 1n,
    sandbox: input.sandbox ? 1n : 0n,
    created_at: BigInt(now),
  }).returningAll().executeTakeFirstOrThrow();
  if (input.cash > 0n) {
    const source = await fundingAccount(tx, 'funding_cash', now);
    await transfer(tx, { debitAccountId: source, creditAccountId: cashAccountId, amount: input.cash, reference: 'opening balance', now });
  }
  if (input.points > 0n) {
    const source = await fundingAccount(tx, 'funding_points', now);
    await transfer(tx, { debitAccountId: source, creditAccountId: pointsAccountId, amount: input.points, reference: 'opening balance', now });
  }
  return toWallet(row);
}

export async function findWalletByPhone(tx: Tx, phone: string): Promise<Wallet | undefined> {
  const row = await tx.selectFrom('wallets').selectAll().where('phone', '=', phone).executeTakeFirst();
  return row && toWallet(row);
}

/** The wallet behind a phone and its active link with the merchant (if any), in one query. */
export async function findWalletWithLink(tx: Tx, phone: string, merchantId: string): Promise<{ wallet: Wallet; link: Link | undefined } | undefined> {
  const row = await tx.selectFrom('wallets')
    .leftJoin('links', (join) => join.onRef('links.wallet_id', '=', 'wallets.id')
      .on('links.merchant_id', '=', merchantId).on('links.status', '=', 'active'))
    .selectAll('wallets')
    .select(['links.id as link_id', 'links.phone_version as link_phone_version', 'links.status as link_status',
      'links.created_at as link_created_at', 'links.expires_at as link_expires_at', 'links.ended_by as link_ended_by'])
    .where('wallets.phone', '=', phone)
    .executeTakeFirst();
  if (!row) return undefined;
  const link = row.link_id === null ? undefined : toLink({
    id: row.link_id, merchant_id: merchantId, wallet_id: row.id, phone_version: row.link_phone_version!, status: row.link_status!,
    created_at: row.link_created_at!, expires_at: row.link_expires_at!, ended_at: null, ended_by: row.link_ended_by,
  });
  return { wallet: toWallet(row), link };
}

/**
 * PostgreSQL: row-locks these wallets in ascending id order, in one statement (SQLite's single writer needs
 * none). Taken before any account (lockAccounts): no transaction locks a wallet's record after its accounts.
 */
export async function lockWallets(database: Database, tx: Tx, walletIds: readonly bigint[]): Promise<void> {
  const dialect = dialectOf(database);
  if (!dialect.locksRows || walletIds.length === 0) return;
  const ids = [...new Set(walletIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await dialect.lockRows(tx.selectFrom('wallets').select('id').where('id', 'in', ids).orderBy('id')).execute();
}

export async function findWallet(tx: Tx, id: bigint): Promise<Wallet | undefined> {
  const row = await tx.selectFrom('wallets').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toWallet(row);
}

export async function listWallets(tx: Tx): Promise<Wallet[]> {
  const rows = await tx.selectFrom('wallets').selectAll().orderBy('id').execute();
  return rows.map(toWallet);
}

export interface WalletBalances {
  cash: bigint;
  points: bigint;
}

export async function walletBalances(tx: Tx, wallet: Pick<Wallet, 'cashAccountId' | 'pointsAccountId'>): Promise<WalletBalances> {
  const balances = await getBalances(tx, [wallet.cashAccountId, wallet.pointsAccountId]);
  return {
    cash: balances.get(wallet.cashAccountId)?.available ?? 0n,
    points: balances.get(wallet.pointsAccountId)?.available ?? 0n,
  };
}

/** Longer than any PIN check can take: a reservation this old belongs to a check that died with its process. */
export const PIN_RESERVATION_STALE_MS = 60_000;

/**
 * Reserves one PIN attempt before the (slow) check, bounded in the statement that takes it, so parallel
 * guesses cannot exceed the limit. A lock that has run out starts a fresh count in the same statement.
 * 'locked': the PIN is locked; 'busy': every allowed attempt is being checked right now (on other pages),
 * which is no reason to lock anything — the customer may simply try again in a moment.
 */
export async function reservePinAttempt(tx: Tx, walletId: bigint, now: number, limits: { attemptsMax: number; lockS: number }): Promise<'reserved' | 'locked' | 'busy'> {
  const reserved = await tx.updateTable('wallets').set((eb) => ({
    pin_failures: eb.case().when('pin_locked_until', 'is', null).then(eb('pin_failures', '+', 1n)).else(1n).end(),
    pin_locked_until: null,
    pin_attempt_at: BigInt(now),
  })).where('id', '=', walletId).where((eb) => eb.or([
    eb.and([eb('pin_locked_until', 'is', null), eb('pin_failures', '<', BigInt(limits.attemptsMax))]),
    eb('pin_locked_until', '<=', BigInt(now)),
  ])).executeTakeFirst();
  if (reserved.numUpdatedRows === 1n) return 'reserved';
  // All attempts reserved and none taken for a long while: some checks died unfinished. Count them as
  // failures (lock), so that crashing the server can never buy an attacker extra guesses.
  const staleLock = await tx.updateTable('wallets').set({ pin_locked_until: BigInt(now + limits.lockS * 1000) })
    .where('id', '=', walletId).where('pin_locked_until', 'is', null)
    .where('pin_failures', '>=', BigInt(limits.attemptsMax))
    .where('pin_attempt_at', '<', BigInt(now - PIN_RESERVATION_STALE_MS)).executeTakeFirst();
  if (staleLock.numUpdatedRows === 1n) return 'locked';
  const wallet = await findWallet(tx, walletId);
  return wallet && wallet.pinLockedUntil !== null && wallet.pinLockedUntil > now ? 'locked' : 'busy';
}

/** After a wrong PIN: lock the wallet if that was the last allowed attempt. Returns whether it is now locked. */
export async function recordPinFailure(tx: Tx, walletId: bigint, now: number, limits: { attemptsMax: number; lockS: number }): Promise<boolean> {
  const locked = await tx.updateTable('wallets').set({ pin_locked_until: BigInt(now + limits.lockS * 1000) })
    .where('id', '=', walletId).where('pin_failures', '>=', BigInt(limits.attemptsMax))
    .where('pin_locked_until', 'is', null).executeTakeFirst();
  return locked.numUpdatedRows === 1n;
}

/** Locks the PIN as the last allowed wrong attempt does (recordPinFailure), until `until`. */
export async function lockPin(tx: Tx, walletId: bigint, until: number, attemptsMax: number): Promise<void> {
  await tx.updateTable('wallets').set({ pin_failures: BigInt(attemptsMax), pin_locked_until: BigInt(until) }).where('id', '=', walletId).execute();
}

/**
 * Gives the wallet its new number and a new phone_version, so every link made under the old one stops
 * working (spec §4.4). Only while the wallet still has `fromPhone`; returns whether it changed. A number
 * another wallet has is refused by the unique index.
 */
export async function changeWalletPhone(tx: Tx, walletId: bigint, fromPhone: string, newPhone: string): Promise<boolean> {
  const moved = await tx.updateTable('wallets')
    .set((eb) => ({ phone: newPhone, phone_version: eb('phone_version', '+', 1n) }))
    .where('id', '=', walletId).where('phone', '=', fromPhone).executeTakeFirst();
  return moved.numUpdatedRows === 1n;
}

export async function recordPinSuccess(tx: Tx, walletId: bigint): Promise<void> {
  await tx.updateTable('wallets').set({ pin_failures: 0n, pin_locked_until: null }).where('id', '=', walletId).execute();
}

function toWallet(row: Selectable<WalletTable>): Wallet {
  return {
    id: BigInt(row.id),
    phone: row.phone,
    name: row.name,
    pinHash: row.pin_hash,
    pinFailures: Number(row.pin_failures),
    pinLockedUntil: row.pin_locked_until === null ? null : Number(row.pin_locked_until),
    status: row.status === 'suspended' ? 'suspended' : 'active',
    cashAccountId: BigInt(row.cash_account_id),
    pointsAccountId: BigInt(row.points_account_id),
    phoneVersion: BigInt(row.phone_version),
    sandbox: BigInt(row.sandbox) === 1n,
  };
}
