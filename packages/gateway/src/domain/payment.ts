import { createHash } from 'node:crypto';
import type { PaymentStatusCode } from '@ovo-tokenize/protocol';
import { DomainError } from './errors.ts';

export const PAYMENT_STATUSES = ['PENDING', 'SUCCESS', 'FAILED', 'EXPIRED', 'CANCELLED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Spec §4.5 status codes; a status we do not know maps to 9 Unknown, never to success. */
export const STATUS_CODE_OF: Readonly<Record<PaymentStatus, PaymentStatusCode>> = {
  PENDING: '1',
  SUCCESS: '2',
  FAILED: '3',
  EXPIRED: '7',
  CANCELLED: '8',
};

export type PayType = '0' | '1' | '2';

export interface Payment {
  trxId: string;
  merchantId: string;
  billNo: string;
  fingerprint: string;
  walletId: bigint;
  phone: string;
  custName: string;
  email: string;
  billDesc: string;
  amount: bigint;
  payType: PayType;
  cashAmount: bigint;
  pointsAmount: bigint;
  /**
   * The ledger transfer that moves the cash part (null when it is 0), debiting the wallet's cash account and
   * crediting the merchant's settlement account, referenced `payment:<trxId>`. For a payment that needs the
   * PIN it is a hold (a pending transfer), posted on SUCCESS and voided on any other outcome. A pinless
   * payment is created SUCCESS with the money already moved: its transfer is POSTED and must never be
   * posted or voided (settlement only ever touches PENDING payments).
   */
  cashTransferId: bigint | null;
  /** As cashTransferId, for the points part (wallet points account → merchant points settlement account). */
  pointsTransferId: bigint | null;
  status: PaymentStatus;
  paymentReff: string;
  failureReason: string | null;
  cancelReason: string | null;
  createdAt: number;
  expiresAt: number;
  finishedAt: number | null;
}

export interface Split {
  cash: bigint;
  points: bigint;
}

/**
 * How a payment is paid (spec §4.3 pay_type), fixed when the payment is created: 0 all cash, 1 all points,
 * 2 points first and the rest in cash. One OVO point is worth one rupiah.
 */
export function splitPayment(amount: bigint, payType: PayType, available: { cash: bigint; points: bigint }): Split {
  const pointsFirst = available.points < amount ? available.points : amount;
  const split: Split = payType === '0' ? { cash: amount, points: 0n }
    : payType === '1' ? { cash: 0n, points: amount }
      : { cash: amount - pointsFirst, points: pointsFirst };
  if (split.cash > available.cash || split.points > available.points) {
    const what = payType === '0' ? `cash balance Rp ${available.cash}` : payType === '1' ? `points balance ${available.points}`
      : `cash Rp ${available.cash} + points ${available.points}`;
    throw new DomainError('insufficient_funds', `Insufficient balance: the payment needs Rp ${amount}, the customer has ${what}`);
  }
  return split;
}

/** What makes two requests with one bill_no "the same order" (spec §4.3 idempotency). */
export function paymentFingerprint(fields: {
  bill_desc: string; bill_total: bigint; bill_currency: string; phone_no: string; pay_type: string; cust_name: string; email: string;
}): string {
  const canonical = JSON.stringify([fields.bill_desc, String(fields.bill_total), fields.bill_currency, fields.phone_no,
    fields.pay_type, fields.cust_name, fields.email]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function isFinal(status: PaymentStatus): boolean {
  return status !== 'PENDING';
}
