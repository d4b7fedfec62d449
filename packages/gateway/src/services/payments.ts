import { PAYMENT_STATUS, type ValidRequest } from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import type { Merchant } from '../domain/merchant.ts';
import { paymentFingerprint, splitPayment, type PayType, type Payment, type PaymentStatus } from '../domain/payment.ts';
import type { Wallet } from '../domain/wallet.ts';
import { randomToken } from '../domain/random.ts';
import { endChallengesOf, insertChallenge } from '../store/challenges.ts';
import { dialectOf } from '../store/dialect.ts';
import { inGroupCommit, type UnitLocks } from '../store/group-commit.ts';
import { hold, postHold, transfer, voidHold, type TransferInput } from '../store/ledger.ts';
import { findMerchant } from '../store/merchants.ts';
import { settlementShardsCached, shardForLane } from '../store/settlement-shards.ts';
import {
  BillNoTaken, findPayment, findPaymentByBill, insertPayment, listExpiredPayments, updatePendingPayment,
} from '../store/payments.ts';
import type { Tx } from '../store/transaction.ts';
import { walletBalances } from '../store/wallets.ts';
import { linkRequired, usableLink } from './link-check.ts';
import { takePaymentOutcome } from './sandbox-scenarios.ts';
import { enqueuePaymentNotification } from './payment-notifications.ts';
import { pageTokenOf, receiptToken } from './payment-page-url.ts';

/**
 * Creates a payment (spec §4.3), by the split fixed now. At or below the merchant's pinless limit it is paid at
 * once: the money moves (posted transfers) and the payment is created SUCCESS, its notification queued, all in
 * one transaction. Otherwise the funds are held and the customer authorises on the hosted page. The same
 * bill_no with the same content returns the same payment; with other content it is refused (14).
 * `request.bill_total` is in whole rupiah: the handler has converted the merchant's wire amount already, so the
 * limits and the replay fingerprint compare rupiah whatever the merchant's amount scale.
 */
export async function createPayment(ctx: GatewayContext, merchant: Merchant, request: ValidRequest<'payment'>): Promise<CreatedPayment> {
  const fingerprint = paymentFingerprint(request);
  // Optimistic: the bill_no is new in nearly every call, so it is not read first. A replay (or a refusal
  // that may be one) reads it afterwards and answers with the order as it was accepted, even if the
  // merchant's limits, the link or the balance changed since. `refusal` is made only when it is not one (a
  // missing link opens an activation session).
  const replayOr = async (refusal: () => Promise<unknown>): Promise<CreatedPayment> => {
    const existing = await findPaymentByBill(ctx.database.db, merchant.merchantId, request.bill_no);
    if (existing) return replay(ctx, existing, fingerprint);
    throw await refusal();
  };
  if (merchant.maxAmount !== null && request.bill_total > merchant.maxAmount) {
    return replayOr(async () => new DomainError('amount_invalid', `bill_total is above this merchant's limit of Rp ${merchant.maxAmount}`));
  }
  const found = await usableLink(ctx, merchant, request.phone_no);
  if (!('link' in found)) return replayOr(() => linkRequired(ctx, merchant, request.phone_no, request.cust_name ?? found.wallet?.name));
  // A sandbox scenario may have armed this phone's next payments (services/sandbox-scenarios.ts).
  const armed = ctx.config.sandbox ? await takePaymentOutcome(ctx, request.phone_no) : undefined;
  if (armed === 'insufficient_funds') return replayOr(async () => insufficientBalance(request.bill_total));
  try {
    const created = await insertNewPayment(ctx, merchant, request, found.wallet, fingerprint, armed === undefined);
    if (armed === 'failed' || armed === 'expired') await settlePayment(ctx, created.payment, ARMED_SETTLEMENT[armed].outcome, ARMED_SETTLEMENT[armed]);
    return created;
  } catch (error) {
    if (error instanceof BillNoTaken || error instanceof DomainError) return replayOr(async () => error);
    throw error;
  }
}

/**
 * One transaction: the balances (locked on PostgreSQL), the ledger moves (posted for a pinless payment,
 * holds otherwise), the challenge of its page when the customer must authorise it (a pinless payment's
 * page is its receipt, whose token is derived from the payment), the payment row carrying its transfers,
 * its day count and, when paid, its notification. The payment row comes after the moves so it is written once, complete.
 */
async function insertNewPayment(ctx: GatewayContext, merchant: Merchant, request: ValidRequest<'payment'>, wallet: Wallet,
  fingerprint: string, pinlessAllowed = true): Promise<CreatedPayment> {
  const pinless = pinlessAllowed && request.bill_total <= merchant.pinlessLimit;
  const challengeId = pinless ? undefined : randomToken(ctx.random);
  const shards = await settlementShardsCached(ctx.database.db, merchant);
  // Committed with the payments that arrive meanwhile (store/group-commit.ts): answered once on disk. The
  // batch's payments to this merchant credit one of its settlement shards, other batches in flight others.
  const { created: payment, notification } = await inGroupCommit(ctx.database, ctx.config.group_commit_batch_max, async (tx, batch) => {
    const settlement = shardForLane(shards, batch.lane);
    const now = ctx.clock.now();
    // The split and the affordability check rest on these balances: current, as the batch locked their rows.
    const split = splitPayment(request.bill_total, request.pay_type, await walletBalances(tx, wallet));
    const trxId = newTrxId(ctx);
    const reference = `payment:${trxId}`;
    const move = pinless ? transfer : hold;
    const cash = split.cash === 0n ? null : await moveOrRefuse(move, tx, {
      debitAccountId: wallet.cashAccountId, creditAccountId: settlement.cashAccountId, amount: split.cash, reference, now,
      kinds: { debit: 'wallet_cash', credit: 'merchant_settlement' },
    }, request.bill_total);
    const points = split.points === 0n ? null : await moveOrRefuse(move, tx, {
      debitAccountId: wallet.pointsAccountId, creditAccountId: settlement.pointsAccountId, amount: split.points, reference, now,
      kinds: { debit: 'wallet_points', credit: 'merchant_points_settlement' },
    }, request.bill_total);
    if (challengeId !== undefined) {
      await insertChallenge(tx, {
        id: challengeId, purpose: 'payment', subject: trxId, step: merchant.paymentOtp ? 'otp' : 'pin',
        csrfToken: randomToken(ctx.random), expiresAt: now + ctx.config.payment_ttl_s * 1000, now,
      });
    }
    const created = await insertPayment(tx, {
      trx_id: trxId, merchant_id: merchant.merchantId, bill_no: request.bill_no, fingerprint, wallet_id: wallet.id,
      phone: request.phone_no, cust_name: request.cust_name, email: request.email, bill_desc: request.bill_desc,
      amount: request.bill_total, pay_type: request.pay_type, cash_amount: split.cash, points_amount: split.points,
      cash_transfer_id: cash, points_transfer_id: points, status: pinless ? 'SUCCESS' : 'PENDING',
      payment_reff: pinless ? newPaymentReff(ctx) : '', failure_reason: null, cancel_reason: null,
      created_at: BigInt(now), expires_at: BigInt(now + ctx.config.payment_ttl_s * 1000), finished_at: pinless ? BigInt(now) : null,
    });
    const notification = pinless ? await enqueuePaymentNotification(ctx, tx, merchant, created, { handOver: true }) : undefined;
    return { created, notification };
  }, (batch) => {
    const settlement = shardForLane(shards, batch.lane);
    return { wallets: spendsOf(wallet, request.pay_type), merchants: [settlement.cashAccountId, settlement.pointsAccountId] };
  });
  if (notification) ctx.deliveries.handOver([notification]);
  ctx.metrics.paymentCreated(payment);
  return { payment, pageToken: challengeId ?? receiptToken(ctx, payment.trxId) };
}

/** The wallet's accounts a payment of this pay type spends from. */
function spendsOf(wallet: Wallet, payType: PayType): bigint[] {
  return payType === '0' ? [wallet.cashAccountId] : payType === '1' ? [wallet.pointsAccountId] : [wallet.cashAccountId, wallet.pointsAccountId];
}

/** A payment as createPayment answers it: with the token of its page (the reply's redirectURL). */
export interface CreatedPayment {
  payment: Payment;
  pageToken: string;
}

/** The same bill_no again: the same order answers as it was accepted, another order is refused. */
async function replay(ctx: GatewayContext, existing: Payment, fingerprint: string): Promise<CreatedPayment> {
  if (existing.fingerprint !== fingerprint) {
    throw new DomainError('order_conflict', `bill_no ${existing.billNo} was already used for a different order`, { trx_id: existing.trxId });
  }
  return { payment: existing, pageToken: await pageTokenOf(ctx, existing) };
}

export type Outcome = Exclude<PaymentStatus, 'PENDING'>;

const EXPIRED_REASON = 'Payment expired';

/** How an armed sandbox outcome ends a payment created pending: as the customer's failure or the sweeper's expiry would. */
const ARMED_SETTLEMENT = {
  failed: { outcome: 'FAILED', failureReason: 'Declined by OVO (sandbox scenario)' },
  expired: { outcome: 'EXPIRED', failureReason: EXPIRED_REASON },
} as const;

/**
 * Moves a PENDING payment to its outcome: holds posted for SUCCESS, voided otherwise; the notification is
 * queued in the same transaction, group-committed with the state changes that arrive meanwhile (a refusal
 * rolls back only this one). Returns the payment as it now is (unchanged if it was no longer pending: in
 * particular a pinless payment, created SUCCESS with posted transfers and no holds, is never touched).
 */
export async function settlePayment(ctx: GatewayContext, payment: Payment, outcome: Outcome,
  details: { failureReason?: string; cancelReason?: string } = {}, alongside?: Alongside): Promise<Payment> {
  const merchant = await findMerchant(ctx.database.db, payment.merchantId);
  if (!merchant) throw new Error(`merchant ${payment.merchantId} of payment ${payment.trxId} is gone`);
  const holds = await holdAccounts(ctx, payment);
  const { current: settled, moved } = await inGroupCommit(ctx.database, ctx.config.group_commit_batch_max, async (tx) => {
    await alongside?.work(tx);
    return settleInTransaction(ctx, tx, merchant, payment, outcome, details);
  }, { ...holds, walletRecords: alongside?.walletRecords });
  if (!moved) return settled;
  ctx.wakeDeliveries();
  ctx.metrics.paymentSettled(settled);
  return settled;
}

/** A change that stands or falls with a settlement, made in its unit first (the rows it changes locked). */
export interface Alongside {
  work(tx: Tx): Promise<void>;
  /** The wallets whose record `work` changes (UnitLocks.walletRecords). */
  walletRecords: readonly bigint[];
}

/** The accounts posting or voiding the payment's holds changes, for its batch to lock (PostgreSQL only). */
async function holdAccounts(ctx: GatewayContext, payment: Payment): Promise<UnitLocks> {
  const holdIds = [payment.cashTransferId, payment.pointsTransferId].filter((id): id is bigint => id !== null);
  if (holdIds.length === 0 || !dialectOf(ctx.database).locksRows) return {};
  const holds = await ctx.database.db.selectFrom('transfers').select(['debit_account_id', 'credit_account_id'])
    .where('id', 'in', holdIds).execute();
  return { wallets: holds.map((h) => h.debit_account_id), merchants: holds.map((h) => h.credit_account_id) };
}

async function settleInTransaction(ctx: GatewayContext, tx: Tx, merchant: Merchant, payment: Payment, outcome: Outcome,
  details: { failureReason?: string; cancelReason?: string } = {}): Promise<{ current: Payment; moved: boolean }> {
  const now = ctx.clock.now();
  const moved = await updatePendingPayment(tx, payment.trxId, {
    status: outcome,
    finished_at: BigInt(now),
    failure_reason: details.failureReason ?? null,
    cancel_reason: details.cancelReason ?? null,
    payment_reff: outcome === 'SUCCESS' ? newPaymentReff(ctx) : '',
  }, outcome === 'SUCCESS' ? { unexpiredAt: now } : {}); // a payment past its time can no longer succeed
  const current = (await findPayment(tx, payment.trxId))!;
  if (!moved) return { current, moved };
  await endChallengesOf(tx, payment.trxId);
  for (const holdId of [current.cashTransferId, current.pointsTransferId]) {
    if (holdId === null) continue;
    if (outcome === 'SUCCESS') await postHold(tx, holdId, now);
    else await voidHold(tx, holdId, now);
  }
  await enqueuePaymentNotification(ctx, tx, merchant, current);
  return { current, moved };
}

/**
 * Releases the holds of payments nobody authorised in time, telling each merchant (7). Returns how many.
 * They are settled at once, so a sweep shares its commits (one refusal stops only its own payment).
 */
export async function expirePayments(ctx: GatewayContext, limit = 100): Promise<number> {
  const due = await listExpiredPayments(ctx.database.db, ctx.clock.now(), limit);
  const results = await Promise.allSettled(due.map((payment) => settlePayment(ctx, payment, 'EXPIRED', { failureReason: EXPIRED_REASON })));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return due.length;
}

/** A payment of this merchant, by trx_id and bill_no together (both must match). */
export async function findMerchantPayment(ctx: GatewayContext, merchant: Merchant, trxId: string, billNo: string): Promise<Payment> {
  const payment = await findPayment(ctx.database.db, trxId);
  if (!payment || payment.merchantId !== merchant.merchantId || payment.billNo !== billNo) {
    throw new DomainError('transaction_unknown', `no transaction ${trxId} with bill_no ${billNo}`, { payment_status_code: '5', payment_status_desc: PAYMENT_STATUS['5'] });
  }
  return payment;
}

/** Cancel Transaction (spec §4.10): a pending payment is cancelled and its hold released; a paid one answers 81. */
export async function cancelPayment(ctx: GatewayContext, merchant: Merchant, trxId: string, billNo: string, reason: string): Promise<Payment> {
  const payment = await findMerchantPayment(ctx, merchant, trxId, billNo);
  // A payment past its time has expired, whether or not the sweeper has got to it yet.
  const outcome: Outcome = payment.expiresAt <= ctx.clock.now() ? 'EXPIRED' : 'CANCELLED';
  const current = payment.status === 'PENDING'
    ? await settlePayment(ctx, payment, outcome, outcome === 'EXPIRED' ? { failureReason: EXPIRED_REASON } : { cancelReason: reason })
    : payment;
  if (current.status === 'SUCCESS') {
    throw new DomainError('already_paid', 'the transaction has already been paid', { merchant: merchant.name, payment_status_code: '2' });
  }
  if (current.status !== 'CANCELLED') {
    throw new DomainError('not_cancellable', `the transaction is ${current.status.toLowerCase()} and can no longer be cancelled`);
  }
  return current;
}

/**
 * A payment's hold (PIN) or transfer (pinless); the ledger's own refusal (a backstop after splitPayment's
 * check) in the customer's terms.
 */
async function moveOrRefuse(move: typeof hold | typeof transfer, tx: Tx, input: TransferInput, total: bigint): Promise<bigint> {
  try {
    return await move(tx, input);
  } catch (error) {
    if (error instanceof DomainError && error.reason === 'insufficient_funds') throw insufficientBalance(total);
    throw error;
  }
}

function insufficientBalance(total: bigint): DomainError {
  return new DomainError('insufficient_funds', `Insufficient balance: the payment needs Rp ${total}, more than the customer has available`);
}

/** 16 digits, never starting with 0, from the CSPRNG (spec §4.3: unique; the primary key enforces it). */
function newTrxId(ctx: GatewayContext): string {
  return String(ctx.random.int(1, 10)) + digits(ctx, 15);
}

/** The payment's reference, issued when it is paid: until then it is '' on every wire (spec §4.10). */
function newPaymentReff(ctx: GatewayContext): string {
  return digits(ctx, 12);
}

function digits(ctx: GatewayContext, count: number): string {
  let out = '';
  while (out.length < count) out += String(ctx.random.int(0, 1_000_000)).padStart(6, '0');
  return out.slice(0, count);
}
