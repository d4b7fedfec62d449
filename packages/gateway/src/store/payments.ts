import type { Insertable, Selectable, Updateable } from 'kysely';
import type { AuthStep, PayType, Payment, PaymentStatus } from '../domain/payment.ts';
import type { PaymentTable } from './schema.ts';
import type { Tx } from './transaction.ts';

export async function insertPayment(tx: Tx, row: Insertable<PaymentTable>): Promise<Payment> {
  return toPayment(await tx.insertInto('payments').values(row).returningAll().executeTakeFirstOrThrow());
}

export async function findPaymentByBill(tx: Tx, merchantId: string, billNo: string): Promise<Payment | undefined> {
  const row = await tx.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId).where('bill_no', '=', billNo).executeTakeFirst();
  return row && toPayment(row);
}

export async function findPayment(tx: Tx, trxId: string): Promise<Payment | undefined> {
  const row = await tx.selectFrom('payments').selectAll().where('trx_id', '=', trxId).executeTakeFirst();
  return row && toPayment(row);
}

export async function findPaymentByPageToken(tx: Tx, token: string): Promise<Payment | undefined> {
  const row = await tx.selectFrom('payments').selectAll().where('page_token', '=', token).executeTakeFirst();
  return row && toPayment(row);
}

/** Applies `changes` only while the payment is still PENDING (and at `authStep` when given). Returns whether it applied. */
export async function updatePendingPayment(tx: Tx, trxId: string, changes: Updateable<PaymentTable>,
  expected: { authStep?: AuthStep; otpAttempts?: number; otpSends?: number; unexpiredAt?: number } = {}): Promise<boolean> {
  let query = tx.updateTable('payments').set(changes).where('trx_id', '=', trxId).where('status', '=', 'PENDING');
  if (expected.unexpiredAt !== undefined) query = query.where('expires_at', '>', BigInt(expected.unexpiredAt));
  if (expected.authStep !== undefined) query = query.where('auth_step', '=', expected.authStep);
  if (expected.otpAttempts !== undefined) query = query.where('otp_attempts', '=', BigInt(expected.otpAttempts));
  if (expected.otpSends !== undefined) query = query.where('otp_sends', '=', BigInt(expected.otpSends));
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
  fromMs: number;
  toMsExclusive: number;
  offset: number;
  limit: number;
}

/** One page of a customer's payments with one merchant, newest first, and the total in the range. */
export async function listPaymentHistory(tx: Tx, q: HistoryQuery): Promise<{ rows: Payment[]; total: number }> {
  const inRange = tx.selectFrom('payments')
    .where('merchant_id', '=', q.merchantId).where('wallet_id', '=', q.walletId)
    .where('created_at', '>=', BigInt(q.fromMs)).where('created_at', '<', BigInt(q.toMsExclusive));
  const [rows, count] = await Promise.all([
    inRange.selectAll().orderBy('created_at', 'desc').orderBy('trx_id', 'desc').limit(q.limit).offset(q.offset).execute(),
    inRange.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
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
    cashHoldId: row.cash_hold_id === null ? null : BigInt(row.cash_hold_id),
    pointsHoldId: row.points_hold_id === null ? null : BigInt(row.points_hold_id),
    status: row.status as PaymentStatus,
    paymentReff: row.payment_reff,
    pageToken: row.page_token,
    needsOtp: BigInt(row.needs_otp) === 1n,
    authStep: row.auth_step as AuthStep,
    browserKeyHash: row.browser_key_hash,
    csrfToken: row.csrf_token,
    otpHash: row.otp_hash,
    otpExpiresAt: row.otp_expires_at === null ? null : Number(row.otp_expires_at),
    otpAttempts: Number(row.otp_attempts),
    otpSends: Number(row.otp_sends),
    otpSentAt: row.otp_sent_at === null ? null : Number(row.otp_sent_at),
    failureReason: row.failure_reason,
    cancelReason: row.cancel_reason,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}
