// Verifies the ledger's invariants on a live database (`ovo-tokenize ledger check`). Every check is one
// set-based query — aggregates grouped by account or by account kinds, or a filter that returns only the
// offending rows — so the whole check is a few scans however large the ledger. All of them read one
// snapshot (a read-only, repeatable-read transaction), so a gateway writing meanwhile cannot make the
// check see half of a move.
//
// What the schema already guarantees is checked again where a query costs nothing extra: a constraint
// can be dropped, disabled (SQLite's ignore_check_constraints) or missing from a database restored by hand.
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import {
  ACCOUNT_KINDS,
  TRANSFER_AMOUNT_MAX,
  availableBalance,
  currencyOf,
  isAccountKind,
  overdraftAllowed,
  type AccountKind,
  type TransferKind,
} from '../domain/ledger-rules.ts';
import type { Schema } from './schema.ts';
import type { Tx } from './transaction.ts';

export const LEDGER_INVARIANTS = [
  /** Each transfer moves a positive amount between two different accounts of one currency; a resolution repeats its hold. */
  'transfers_balanced',
  /** Each account's four running totals equal what its transfers add up to. */
  'totals_match_transfers',
  /** Only funding accounts may go below zero (and only they may be flagged overdraft_allowed). */
  'no_overdraft',
  /** Open holds belong to PENDING payments, PENDING payments hold their amounts, finished ones settled their way. */
  'holds_match_payments',
  /**
   * A merchant's settlement shards are accounts of their currency's settlement kind, each one merchant's, every
   * settlement account is a shard of some merchant (so its balance, the sum over its shards, counts all of
   * them), and a payment's money goes to a shard of the payment's own merchant.
   */
  'settlement_shards',
] as const;
export type LedgerInvariant = (typeof LEDGER_INVARIANTS)[number];

export interface LedgerViolation {
  invariant: LedgerInvariant;
  /** Names the offending ids and amounts. */
  detail: string;
}

export interface LedgerCheck {
  accounts: number;
  transfers: number;
  /** Holds neither posted nor voided yet. */
  openHolds: number;
  payments: number;
  /** In the order of LEDGER_INVARIANTS: the first names the first broken invariant. */
  violations: LedgerViolation[];
}

/** Offending rows listed per query: a badly broken ledger is reported, not dumped. */
export const VIOLATIONS_LISTED_PER_QUERY_MAX = 20;

/**
 * What each kind of transfer adds to the pending and posted totals of both its accounts (debits on the debit
 * account, credits on the credit account), as store/ledger.ts applies it: a hold adds to pending, its post
 * moves the amount from pending to posted, its void takes it off pending.
 */
const TOTALS_EFFECT: Readonly<Record<TransferKind, { pending: -1 | 0 | 1; posted: 0 | 1 }>> = {
  posted: { pending: 0, posted: 1 },
  pending: { pending: 1, posted: 0 },
  post_pending: { pending: -1, posted: 1 },
  void_pending: { pending: -1, posted: 0 },
};

type Db = Kysely<Schema>;

const SETTLEMENT_KINDS: readonly AccountKind[] = ['merchant_settlement', 'merchant_points_settlement'];

/** Checks every invariant in one snapshot; inside the caller's transaction when `db` is one. */
export async function checkLedger(db: Tx): Promise<LedgerCheck> {
  if (!db.isTransaction) {
    return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute((tx) => checkLedger(tx));
  }
  const accounts = await accountKinds(db);
  const transfers = await transferPairs(db);
  const violations = [
    ...transfers.violations,
    ...(await malformedTransfers(db)),
    ...(await mismatchedResolutions(db)),
    ...(await totalsOffTransfers(db)),
    ...accounts.violations,
    ...(await overdrawnAccounts(db)),
    ...(await orphanHolds(db)),
    ...(await pendingPaymentsWithoutHolds(db)),
    ...(await paymentsSettledTheWrongWay(db)),
    ...(await misfitShards(db)),
    ...(await sharedOrOrphanSettlementAccounts(db)),
    ...(await paymentsToAnotherMerchant(db)),
  ];
  return { accounts: accounts.count, transfers: transfers.count, openHolds: await countOpenHolds(db), payments: await countPayments(db), violations };
}

// ——— (1) every transfer balanced ———

/** Transfers grouped by the kinds of their two accounts (a few dozen rows): a pair across currencies is a violation. */
async function transferPairs(db: Db): Promise<{ count: number; violations: LedgerViolation[] }> {
  const pairs = await db.selectFrom('transfers as t')
    .leftJoin('accounts as d', 'd.id', 't.debit_account_id')
    .leftJoin('accounts as c', 'c.id', 't.credit_account_id')
    .select((eb) => ['d.kind as debit_kind', 'c.kind as credit_kind', eb.fn.countAll().as('n'), eb.fn.min('t.id').as('first_id')])
    .groupBy(['d.kind', 'c.kind'])
    .execute();
  let count = 0;
  const violations: LedgerViolation[] = [];
  for (const pair of pairs) {
    const n = Number(pair.n);
    count += n;
    const problem = currencyProblem(pair.debit_kind, pair.credit_kind);
    if (!problem) continue;
    const first = await db.selectFrom('transfers').selectAll().where('id', '=', big(pair.first_id)).executeTakeFirstOrThrow();
    violations.push({
      invariant: 'transfers_balanced',
      detail: `${n} transfer(s) from ${pair.debit_kind ?? 'missing'} to ${pair.credit_kind ?? 'missing'} accounts ${problem}; ` +
        `the first, transfer ${first.id}, moves ${first.amount} from account ${first.debit_account_id} to account ${first.credit_account_id}`,
    });
  }
  return { count, violations };
}

function currencyProblem(debitKind: string | null, creditKind: string | null): string | null {
  if (debitKind === null || creditKind === null) return 'name an account that does not exist';
  if (!isAccountKind(debitKind) || !isAccountKind(creditKind)) return 'involve an account of unknown kind';
  if (currencyOf(debitKind) !== currencyOf(creditKind)) return `mix ${currencyOf(debitKind)} and ${currencyOf(creditKind)}`;
  return null;
}

async function malformedTransfers(db: Db): Promise<LedgerViolation[]> {
  const rows = await db.selectFrom('transfers').selectAll()
    .where((eb) => eb.or([
      eb('amount', '<=', 0n),
      eb('amount', '>', TRANSFER_AMOUNT_MAX),
      eb('debit_account_id', '=', eb.ref('credit_account_id')),
    ]))
    .orderBy('id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  return rows.map((t) => ({
    invariant: 'transfers_balanced',
    detail: t.debit_account_id === t.credit_account_id
      ? `transfer ${t.id} moves ${t.amount} from account ${t.debit_account_id} to itself`
      : `transfer ${t.id} moves ${t.amount}, outside 1..${TRANSFER_AMOUNT_MAX}, from account ${t.debit_account_id} to account ${t.credit_account_id}`,
  }));
}

/** A post or void must resolve a hold, with the hold's own accounts and amount. */
async function mismatchedResolutions(db: Db): Promise<LedgerViolation[]> {
  const rows = await db.selectFrom('transfers as r')
    .innerJoin('transfers as h', 'h.id', 'r.pending_id')
    .select([
      'r.id', 'r.kind', 'r.amount', 'r.debit_account_id', 'r.credit_account_id', 'r.pending_id',
      'h.kind as hold_kind', 'h.amount as hold_amount', 'h.debit_account_id as hold_debit', 'h.credit_account_id as hold_credit',
    ])
    .where((eb) => eb.or([
      eb('h.kind', '<>', 'pending'),
      eb('r.amount', '<>', eb.ref('h.amount')),
      eb('r.debit_account_id', '<>', eb.ref('h.debit_account_id')),
      eb('r.credit_account_id', '<>', eb.ref('h.credit_account_id')),
    ]))
    .orderBy('r.id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  return rows.map((r) => ({
    invariant: 'transfers_balanced',
    detail: r.hold_kind !== 'pending'
      ? `${r.kind} transfer ${r.id} resolves transfer ${r.pending_id}, which is ${r.hold_kind}, not a hold`
      : `${r.kind} transfer ${r.id} moves ${r.amount} from account ${r.debit_account_id} to account ${r.credit_account_id}, ` +
        `but its hold ${r.pending_id} moved ${r.hold_amount} from account ${r.hold_debit} to account ${r.hold_credit}`,
  }));
}

// ——— (2) running totals equal the sums over transfers ———

const TOTAL_COLUMNS = ['debits_pending', 'debits_posted', 'credits_pending', 'credits_posted'] as const;
/** Where each total's sum comes from: the debit side's (d) or the credit side's (c) grouped transfers. */
const SUM_OF = { debits_pending: 'd.pending', debits_posted: 'd.posted', credits_pending: 'c.pending', credits_posted: 'c.posted' } as const;

/** Accounts whose stored totals differ from their transfers', summed per account in two grouped scans. */
async function totalsOffTransfers(db: Db): Promise<LedgerViolation[]> {
  const sums = (side: 'debit_account_id' | 'credit_account_id') => db.selectFrom('transfers')
    .select((eb) => [
      eb.ref(side).as('account_id'),
      // Cast back to bigint: PostgreSQL's sum() of bigints is numeric.
      eb.cast<bigint>(eb.fn.sum(totalsDelta('pending')), 'bigint').as('pending'),
      eb.cast<bigint>(eb.fn.sum(totalsDelta('posted')), 'bigint').as('posted'),
    ])
    .groupBy(side);
  const rows = await db.selectFrom('accounts as a')
    .leftJoin(sums('debit_account_id').as('d'), 'd.account_id', 'a.id')
    .leftJoin(sums('credit_account_id').as('c'), 'c.account_id', 'a.id')
    .select((eb) => [
      'a.id', 'a.kind', ...TOTAL_COLUMNS.map((column) => `a.${column}` as const),
      ...TOTAL_COLUMNS.map((column) => eb.fn.coalesce(SUM_OF[column], sql.lit(0n)).as(`sum_${column}`)),
    ])
    .where((eb) => eb.or(TOTAL_COLUMNS.map((column) => eb(`a.${column}`, '<>', eb.fn.coalesce(SUM_OF[column], sql.lit(0n))))))
    .orderBy('a.id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  return rows.map((row) => {
    const off = TOTAL_COLUMNS
      .filter((column) => big(row[column]) !== big(row[`sum_${column}`]))
      .map((column) => `${column} is ${row[column]} but its transfers add up to ${big(row[`sum_${column}`])}`);
    return { invariant: 'totals_match_transfers', detail: `account ${row.id} (${row.kind}): ${off.join('; ')}` };
  });
}

/** `case kind when 'posted' then amount when … end`: the signed amount a transfer adds to one total of its accounts. */
function totalsDelta(total: 'pending' | 'posted') {
  const whens = Object.entries(TOTALS_EFFECT).map(([kind, effect]) => {
    const sign = effect[total];
    return sql`when ${sql.lit(kind)} then ${sign === 0 ? sql`0` : sign > 0 ? sql`amount` : sql`-amount`}`;
  });
  return sql<bigint>`case kind ${sql.join(whens, sql` `)} else 0 end`;
}

// ——— (3) no account below zero except funding accounts ———

/** Accounts grouped by kind and overdraft flag: the count, and flags that disagree with the kind's rule. */
async function accountKinds(db: Db): Promise<{ count: number; violations: LedgerViolation[] }> {
  const groups = await db.selectFrom('accounts')
    .select((eb) => ['kind', 'overdraft_allowed', eb.fn.countAll().as('n'), eb.fn.min('id').as('first_id')])
    .groupBy(['kind', 'overdraft_allowed'])
    .execute();
  let count = 0;
  const violations: LedgerViolation[] = [];
  for (const group of groups) {
    count += Number(group.n);
    const allowed = isAccountKind(group.kind) && overdraftAllowed(group.kind);
    if ((big(group.overdraft_allowed) === 1n) === allowed) continue;
    violations.push({
      invariant: 'no_overdraft',
      detail: `${group.n} ${group.kind} account(s), the first account ${group.first_id}, have overdraft_allowed = ${group.overdraft_allowed}` +
        (allowed ? ': funding accounts must be allowed below zero' : ': only funding accounts may go below zero, and the database would let these'),
    });
  }
  return { count, violations };
}

async function overdrawnAccounts(db: Db): Promise<LedgerViolation[]> {
  const fundingKinds = ACCOUNT_KINDS.filter(overdraftAllowed);
  // The filter is availableBalance() < 0 in SQL, so only candidates leave the database; the rule itself decides.
  const rows = await db.selectFrom('accounts').selectAll()
    .where('kind', 'not in', fundingKinds)
    .where((eb) => eb(eb('debits_posted', '+', eb.ref('debits_pending')), '>', eb.ref('credits_posted')))
    .orderBy('id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  return rows.flatMap((a) => {
    const available = availableBalance({
      debitsPending: big(a.debits_pending), debitsPosted: big(a.debits_posted),
      creditsPending: big(a.credits_pending), creditsPosted: big(a.credits_posted),
    });
    if (available >= 0n) return [];
    return [{ invariant: 'no_overdraft' as const, detail: `account ${a.id} (${a.kind}) has ${available} available: credits_posted ${a.credits_posted} − debits_posted ${a.debits_posted} − debits_pending ${a.debits_pending}` }];
  });
}

// ——— (4) holds match payments ———

function isOpenHold(eb: ExpressionBuilder<Schema & { h: Schema['transfers'] }, 'h'>) {
  return eb.and([
    eb('h.kind', '=', 'pending'),
    eb.not(eb.exists(eb.selectFrom('transfers as r').select('r.id').whereRef('r.pending_id', '=', 'h.id'))),
  ]);
}

async function countOpenHolds(db: Db): Promise<number> {
  const row = await db.selectFrom('transfers as h').select((eb) => eb.fn.countAll().as('n')).where(isOpenHold).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countPayments(db: Db): Promise<number> {
  const row = await db.selectFrom('payments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Open holds that no PENDING payment holds (PENDING payments are few, and found by the payments_pending index). */
async function orphanHolds(db: Db): Promise<LedgerViolation[]> {
  const holds = await db.selectFrom('transfers as h').select(['h.id', 'h.amount', 'h.debit_account_id', 'h.credit_account_id'])
    .where(isOpenHold)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('payments as p').select('p.trx_id').where('p.status', '=', 'PENDING')
      .where((p) => p.or([p('p.cash_transfer_id', '=', p.ref('h.id')), p('p.points_transfer_id', '=', p.ref('h.id'))])))))
    .orderBy('h.id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  const violations: LedgerViolation[] = [];
  for (const h of holds) {
    // A scan of payments per listed hold, so only when the ledger is already broken.
    const owner = await db.selectFrom('payments').select(['trx_id', 'status'])
      .where((eb) => eb.or([eb('cash_transfer_id', '=', h.id), eb('points_transfer_id', '=', h.id)])).executeTakeFirst();
    violations.push({
      invariant: 'holds_match_payments',
      detail: `hold ${h.id} of ${h.amount} from account ${h.debit_account_id} to account ${h.credit_account_id} is still open, but ` +
        (owner ? `its payment ${owner.trx_id} is ${owner.status}` : 'no payment holds it'),
    });
  }
  return violations;
}

/** One row per part (cash, points) of every payment: the amount and the transfer that moves it. */
function paymentParts(db: Db) {
  const part = (name: 'cash' | 'points') => db.selectFrom('payments').select([
    'trx_id', 'merchant_id', 'status', sql.lit(name).as('part'),
    `${name}_amount as amount` as const, `${name}_transfer_id as transfer_id` as const,
  ]);
  return part('cash').unionAll(part('points'));
}

/** A PENDING payment's every part with an amount must be an open hold of exactly that amount. */
async function pendingPaymentsWithoutHolds(db: Db): Promise<LedgerViolation[]> {
  const rows = await db.selectFrom(paymentParts(db).as('p'))
    .leftJoin('transfers as t', 't.id', 'p.transfer_id')
    .leftJoin('transfers as r', 'r.pending_id', 'p.transfer_id')
    .select(['p.trx_id', 'p.part', 'p.amount', 'p.transfer_id', 't.kind', 't.amount as transfer_amount', 'r.kind as resolution'])
    .where('p.status', '=', 'PENDING')
    .where((eb) => eb.or([
      eb.and([eb('p.amount', '>', 0n), eb('p.transfer_id', 'is', null)]),
      eb('t.kind', '<>', 'pending'),
      eb('r.id', 'is not', null),
      eb('t.amount', '<>', eb.ref('p.amount')),
    ]))
    .orderBy('p.trx_id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  return rows.map((row) => {
    const problem = row.transfer_id === null ? `has no ${row.part} hold for its ${row.amount}`
      : row.kind !== 'pending' ? `holds its ${row.part} with transfer ${row.transfer_id}, which is ${row.kind}, not a hold`
        : row.resolution !== null ? `has its ${row.part} hold ${row.transfer_id} already ${resolved(row.resolution)}`
          : `holds ${row.transfer_amount} with ${row.part} hold ${row.transfer_id}, not its ${row.part} amount ${row.amount}`;
    return { invariant: 'holds_match_payments', detail: `payment ${row.trx_id} is PENDING but ${problem}` };
  });
}

/** A finished payment's money reached the merchant exactly when it is SUCCESS: posted then, voided otherwise. */
async function paymentsSettledTheWrongWay(db: Db): Promise<LedgerViolation[]> {
  const rows = await db.selectFrom(paymentParts(db).as('p'))
    .innerJoin('transfers as t', 't.id', 'p.transfer_id')
    .leftJoin('transfers as r', 'r.pending_id', 'p.transfer_id')
    .select(['p.trx_id', 'p.status', 'p.part', 'p.transfer_id', 't.amount', 't.kind', 'r.kind as resolution'])
    .where('p.status', '<>', 'PENDING')
    .where((eb) => eb.or([
      eb.and([eb('p.status', '=', 'SUCCESS'), eb('r.kind', '=', 'void_pending')]),
      eb.and([eb('p.status', '<>', 'SUCCESS'), eb.or([eb('r.kind', '=', 'post_pending'), eb('t.kind', '=', 'posted')])]),
    ]))
    .orderBy('p.trx_id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  return rows.map((row) => ({
    invariant: 'holds_match_payments',
    detail: `payment ${row.trx_id} is ${row.status} but its ${row.part} ` +
      (row.kind === 'posted' ? `transfer ${row.transfer_id} of ${row.amount} was posted` : `hold ${row.transfer_id} of ${row.amount} was ${resolved(row.resolution!)}`),
  }));
}

// ——— (5) settlement shards belong to their merchant ———

/** Every settlement account of every merchant: shard 0 from the merchants row, the others from settlement_shards. */
function settlementAccounts(db: Db) {
  const own = (column: 'settlement_account_id' | 'points_settlement_account_id', kind: AccountKind) => db.selectFrom('merchants')
    .select(['merchant_id', sql<bigint>`0`.as('shard'), sql.lit(kind).as('kind'), `${column} as account_id` as const]);
  const shard = (column: 'cash_account_id' | 'points_account_id', kind: AccountKind) => db.selectFrom('settlement_shards')
    .select(['merchant_id', 'shard', sql.lit(kind).as('kind'), `${column} as account_id` as const]);
  return own('settlement_account_id', 'merchant_settlement').unionAll(own('points_settlement_account_id', 'merchant_points_settlement'))
    .unionAll(shard('cash_account_id', 'merchant_settlement')).unionAll(shard('points_account_id', 'merchant_points_settlement'));
}

/** A shard that names no account, or an account of another kind than its currency's settlement. */
async function misfitShards(db: Db): Promise<LedgerViolation[]> {
  const rows = await db.selectFrom(settlementAccounts(db).as('s'))
    .leftJoin('accounts as a', 'a.id', 's.account_id')
    .select(['s.merchant_id', 's.shard', 's.kind', 's.account_id', 'a.kind as account_kind'])
    .where((eb) => eb.or([eb('a.id', 'is', null), eb('a.kind', '<>', eb.ref('s.kind'))]))
    .orderBy('s.merchant_id').orderBy('s.shard').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  return rows.map((r) => ({
    invariant: 'settlement_shards',
    detail: `merchant ${r.merchant_id}'s ${r.kind} shard ${r.shard} is account ${r.account_id}, ` +
      (r.account_kind === null ? 'which does not exist' : `a ${r.account_kind} account`),
  }));
}

/** Settlement accounts that are a shard twice (of two merchants, or twice of one), or of no merchant at all. */
async function sharedOrOrphanSettlementAccounts(db: Db): Promise<LedgerViolation[]> {
  const shared = await db.selectFrom(settlementAccounts(db).as('s'))
    .select((eb) => ['s.account_id', eb.fn.countAll().as('n'), eb.fn.min('s.merchant_id').as('first'), eb.fn.max('s.merchant_id').as('last')])
    .groupBy('s.account_id').having((eb) => eb(eb.fn.countAll(), '>', 1))
    .orderBy('s.account_id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  const orphans = await db.selectFrom('accounts as a').select(['a.id', 'a.kind', 'a.credits_posted', 'a.credits_pending'])
    .where('a.kind', 'in', SETTLEMENT_KINDS)
    .where((eb) => eb.not(eb.exists(eb.selectFrom(settlementAccounts(db).as('s')).select('s.account_id').whereRef('s.account_id', '=', 'a.id'))))
    .orderBy('a.id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  return [
    ...shared.map((r) => ({
      invariant: 'settlement_shards' as const,
      detail: `account ${r.account_id} is a settlement shard ${r.n} times, ` +
        (r.first === r.last ? `all of merchant ${r.first}` : `of merchants ${r.first} … ${r.last}`),
    })),
    ...orphans.map((a) => ({
      invariant: 'settlement_shards' as const,
      detail: `${a.kind} account ${a.id} (credits_posted ${a.credits_posted}, credits_pending ${a.credits_pending}) is a shard of no merchant, ` +
        'so no merchant\'s balance counts it',
    })),
  ];
}

/** A payment's transfer whose credit account is not a settlement account of the payment's merchant. */
async function paymentsToAnotherMerchant(db: Db): Promise<LedgerViolation[]> {
  const rows = await db.selectFrom(paymentParts(db).as('p'))
    .innerJoin('transfers as t', 't.id', 'p.transfer_id')
    .leftJoin(settlementAccounts(db).as('s'), (join) => join.onRef('s.account_id', '=', 't.credit_account_id').onRef('s.merchant_id', '=', 'p.merchant_id'))
    .select(['p.trx_id', 'p.part', 'p.merchant_id', 't.id as transfer_id', 't.credit_account_id'])
    .where('s.account_id', 'is', null)
    .orderBy('p.trx_id').limit(VIOLATIONS_LISTED_PER_QUERY_MAX).execute();
  return rows.map((r) => ({
    invariant: 'settlement_shards',
    detail: `payment ${r.trx_id} of merchant ${r.merchant_id} moves its ${r.part} with transfer ${r.transfer_id} to account ` +
      `${r.credit_account_id}, which is not one of that merchant's settlement shards`,
  }));
}

function resolved(resolution: string): string {
  return resolution === 'post_pending' ? 'posted' : 'voided';
}

/** Integers arrive as bigint from both drivers; the conversion keeps the types honest where Kysely's are loose. */
function big(value: unknown): bigint {
  return BigInt(value as bigint | number | string);
}
