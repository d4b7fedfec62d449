// The ledger's pure rules: which account kinds exist, which of them may issue money, which currency each
// one holds, and the limits every move is checked against. store/ledger.ts applies them to the database.

export const ACCOUNT_KINDS = [
  'wallet_cash', 'wallet_points', 'merchant_settlement', 'merchant_points_settlement', 'funding_cash', 'funding_points',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const FUNDING_ACCOUNT_KINDS = ['funding_cash', 'funding_points'] as const;
export type FundingAccountKind = (typeof FUNDING_ACCOUNT_KINDS)[number];

export const TRANSFER_KINDS = ['posted', 'pending', 'post_pending', 'void_pending'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

export type Currency = 'cash' | 'points';

// Like TigerBeetle's ledgers: money moves only between accounts of one currency, so a point can never
// turn into a rupiah by a transfer. Converting one into the other is two transfers through the funding
// accounts (points back to funding_points, cash out of funding_cash).
const CURRENCY_OF: Readonly<Record<AccountKind, Currency>> = {
  wallet_cash: 'cash',
  merchant_settlement: 'cash',
  funding_cash: 'cash',
  wallet_points: 'points',
  // Points a customer spends at a merchant; the operator settles them with the merchant in rupiah, off-ledger.
  merchant_points_settlement: 'points',
  funding_points: 'points',
};

/**
 * The largest amount one transfer may move. Far above any rupiah payment, and small enough that an
 * account's lifetime totals stay far below 2^63 (SQLite would silently turn an overflowing sum into a float).
 */
export const TRANSFER_AMOUNT_MAX = 10n ** 15n;
export const REFERENCE_CHARS_MAX = 255;
export const LIST_TRANSFERS_LIMIT_MAX = 1000;
export const GET_BALANCES_ACCOUNTS_MAX = 1000;

/**
 * How many settlement accounts of each currency a merchant has: its own (shard 0, in the merchants row) and
 * the others in settlement_shards. Every payment credits one of them, so one merchant's concurrent payments
 * do not all queue on one row; its balance is their sum. At least the group commit's batches in flight
 * (4 on PostgreSQL), so that each of them can credit a shard of its own.
 */
export const SETTLEMENT_SHARDS = 8;

export function isAccountKind(value: string): value is AccountKind {
  return (ACCOUNT_KINDS as readonly string[]).includes(value);
}

export function isFundingAccountKind(value: string): value is FundingAccountKind {
  return (FUNDING_ACCOUNT_KINDS as readonly string[]).includes(value);
}

/** Only the system's funding accounts may go below zero: that is how money enters the ledger. */
export function overdraftAllowed(kind: AccountKind): boolean {
  return isFundingAccountKind(kind);
}

export function currencyOf(kind: AccountKind): Currency {
  return CURRENCY_OF[kind];
}

/** The ledger never mixes currencies: a move between accounts of these kinds must stay in one. */
export function assertSameCurrency(debitKind: AccountKind, creditKind: AccountKind, ids: { debit: bigint; credit: bigint }): void {
  if (currencyOf(debitKind) !== currencyOf(creditKind)) {
    throw new Error(`cannot move ${currencyOf(debitKind)} from ${debitKind} account ${ids.debit} to ${creditKind} account ${ids.credit}`);
  }
}

export interface AccountTotals {
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

/** What may still be spent: incoming holds do not count until they are posted. */
export function availableBalance(a: AccountTotals): bigint {
  return a.creditsPosted - a.debitsPosted - a.debitsPending;
}

export function postedBalance(a: AccountTotals): bigint {
  return a.creditsPosted - a.debitsPosted;
}

// The checks below guard against programming errors, not customer input (callers validate amounts and
// answer with a domain error first), so they throw plain Errors.

export function assertAmount(amount: bigint): void {
  if (typeof amount !== 'bigint') throw new Error(`ledger amount must be a bigint, got ${typeof amount}`);
  if (amount <= 0n) throw new Error(`ledger amount must be positive, got ${amount}`);
  if (amount > TRANSFER_AMOUNT_MAX) throw new Error(`ledger amount ${amount} exceeds TRANSFER_AMOUNT_MAX ${TRANSFER_AMOUNT_MAX}`);
}

export function assertId(id: bigint, what: string): void {
  if (typeof id !== 'bigint' || id <= 0n) throw new Error(`${what} must be a positive bigint, got ${String(id)}`);
}

export function assertTime(now: number): void {
  if (!Number.isSafeInteger(now) || now < 0) throw new Error(`ledger time must be epoch milliseconds, got ${now}`);
}

export function assertReference(reference: string | undefined): void {
  if (reference === undefined) return;
  if (typeof reference !== 'string' || reference.length > REFERENCE_CHARS_MAX) {
    throw new Error(`ledger reference must be a string of at most ${REFERENCE_CHARS_MAX} characters`);
  }
}
