import { formatJakartaDate, jakartaDayStart } from '@ovo-tokenize/protocol';
import type { Selectable, Transaction, Updateable } from 'kysely';
import type { PayType, Payment, PaymentStatus } from '../domain/payment.ts';
import type { PaymentTable, Schema } from './schema.ts';
import type { Tx } from './transaction.ts';

/**
 * Inserts a payment and counts it in `payment_day_counts` (what history's `total` sums), in one transaction:
 * the caller's, or one of its own when given the bare database.
 */
export async function insertPayment(tx: Tx, row: Selectable<PaymentTable>): Promise<Payment> {
  if (!tx.isTransaction) return tx.transaction().execute((t) => insertPayment(t, row));
  // The unique index on (merchant_id, bill_no) decides a reused bill_no, without a read before the insert
  // and without an SQL error that would end a PostgreSQL transaction.
  const inserted = await tx.insertInto('payments').values(row).onConflict((oc) => oc.columns(['merchant_id', 'bill_no']).doNothing())
    .returning('trx_id').executeTakeFirst();
  if (!inserted) throw new BillNoTaken(row.merchant_id, row.bill_no);
  await countPaymentDay(tx as Transaction<Schema>, row);
  return toPayment(row);
}

/** The merchant already has a payment with this bill_no (its transaction must roll back). */
export class BillNoTaken extends Error {
  constructor(merchantId: string, billNo: string) {
    super(`merchant ${merchantId} already has a payment with bill_no ${billNo}`);
  }
}

/** The Jakarta date (`YYYY-MM-DD`) a payment created at `createdAtMs` is listed under in history. */
export function paymentDay(createdAtMs: number): string {
  return formatJakartaDate(new Date(createdAtMs));
}

/** +1 for the payment's (merchant, customer, Jakarta day). An upsert, so concurrent payments never lose a count. */
async function countPaymentDay(tx: Transaction<Schema>, p: Pick<Selectable<PaymentTable>, 'merchant_id' | 'wallet_id' | 'created_at'>): Promise<void> {
  await tx.insertInto('payment_day_counts')
    .values({ merchant_id: p.merchant_id, wallet_id: BigInt(p.wallet_id), day: paymentDay(Number(p.created_at)), count: 1n })
    .onConflict((oc) => oc.columns(['merchant_id', 'wallet_id', 'day'])
      .doUpdateSet((eb) => ({ count: eb('payment_day_counts.count', '+', 1n) })))
    .execute();
}

export async function findPaymentByBill(tx: Tx, merchantId: string, billNo: string): Promise<Payment | undefined> {
  const row = await tx.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId).where('bill_no', '=', billNo).executeTakeFirst();
  return row && toPayment(row);
}

export async function findPayment(tx: Tx, trxId: string): Promise<Payment | undefined> {
  const row = await tx.selectFrom('payments').selectAll().where('trx_id', '=', trxId).executeTakeFirst();
  return row && toPayment(row);
}

/** Applies `changes` only while the payment is still PENDING (and unexpired at `unexpiredAt` when given). Returns whether it applied. */
export async function updatePendingPayment(tx: Tx, trxId: string, changes: Updateable<PaymentTable>,
  expected: { unexpiredAt?: number } = {}): Promise<boolean> {
  let query = tx.updateTable('payments').set(changes).where('trx_id', '=', trxId).where('status', '=', 'PENDING');
  if (expected.unexpiredAt !== undefined) query = query.where('expires_at', '>', BigInt(expected.unexpiredAt));
  return (await query.executeTakeFirst()).numUpdatedRows === 1n;
}

export async function listExpiredPayments(tx: Tx, now: number, limit: number): Promise<Payment[]> {
  const rows = await tx.selectFrom('payments').selectAll().where('status', '=', 'PENDING').where('expires_at', '<=', BigInt(now))
    .orderBy('expires_at').limit(limit).execute();
  return rows.map(toPayment);
}

export interface HistoryQuery {
  merchantId: string;
  walletId: bigint;
  /** 00:00 Jakarta of the first day (history ranges are whole Jakarta days). */
  fromMs: number;
  /** 00:00 Jakarta of the day after the last. */
  toMsExclusive: number;
  offset: number;
  limit: number;
}

/**
 * The two queries of a history read. The page walks `payments_history` backwards from the end of the range
 * (LIMIT/OFFSET, the offset bounded by the caller); the total sums `payment_day_counts` over the range's
 * Jakarta days, one row per day with payments. Neither grows with the number of payments.
 */
export function historyQueries(tx: Tx, q: HistoryQuery) {
  const { firstDay, lastDay } = historyDays(q);
  return {
    page: tx.selectFrom('payments').selectAll()
      .where('merchant_id', '=', q.merchantId).where('wallet_id', '=', q.walletId)
      .where('created_at', '>=', BigInt(q.fromMs)).where('created_at', '<', BigInt(q.toMsExclusive))
      .orderBy('created_at', 'desc').orderBy('trx_id', 'desc').limit(q.limit).offset(q.offset),
    total: tx.selectFrom('payment_day_counts')
      .where('merchant_id', '=', q.merchantId).where('wallet_id', '=', q.walletId)
      .where('day', '>=', firstDay).where('day', '<=', lastDay)
      .select((eb) => eb.fn.coalesce(eb.fn.sum<bigint | string | number>('count'), eb.lit(0)).as('n')),
  };
}

/** The Jakarta days the range covers; refuses a range that does not start and end at Jakarta midnight. */
function historyDays(q: HistoryQuery): { firstDay: string; lastDay: string } {
  const firstDay = paymentDay(q.fromMs);
  const lastDay = paymentDay(q.toMsExclusive - 1);
  if (jakartaDayStart(firstDay).getTime() !== q.fromMs || jakartaDayStart(paymentDay(q.toMsExclusive)).getTime() !== q.toMsExclusive) {
    throw new RangeError(`history range ${q.fromMs}..${q.toMsExclusive} is not whole Jakarta days`);
  }
  return { firstDay, lastDay };
}

/** One page of a customer's payments with one merchant, newest first, and the total in the range. */
export async function listPaymentHistory(tx: Tx, q: HistoryQuery): Promise<{ rows: Payment[]; total: number }> {
  const queries = historyQueries(tx, q);
  const [rows, count] = await Promise.all([queries.page.execute(), queries.total.executeTakeFirstOrThrow()]);
  return { rows: rows.map(toPayment), total: Number(count.n) };
}

export function toPayment(row: Selectable<PaymentTable>): Payment {
  return {
    trxId: row.trx_id,
    merchantId: row.merchant_id,
    billNo: row.bill_no,
    fingerprint: row.fingerprint,
    walletId: BigInt(row.wallet_id),
    phone: row.phone,
    custName: row.cust_name,
    email: row.email,
    billDesc: row.bill_desc,
    amount: BigInt(row.amount),
    payType: row.pay_type as PayType,
    cashAmount: BigInt(row.cash_amount),
    pointsAmount: BigInt(row.points_amount),
    cashTransferId: row.cash_transfer_id === null ? null : BigInt(row.cash_transfer_id),
    pointsTransferId: row.points_transfer_id === null ? null : BigInt(row.points_transfer_id),
    status: row.status as PaymentStatus,
    paymentReff: row.payment_reff,
    failureReason: row.failure_reason,
    cancelReason: row.cancel_reason,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}
