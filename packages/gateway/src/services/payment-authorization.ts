// The customer's side of a payment (spec §4.3): on the hosted page behind the reply's redirectURL they
// confirm with an SMS code (when the merchant asks for one) and then their OVO PIN, or cancel. Same safety
// as linking: the first browser is bound by a cookie, every POST carries the CSRF token, attempts are counted
// atomically before the secret is checked, and PIN failures feed the wallet's shared lockout.
import type { GatewayContext } from '../context.ts';
import { FINISHED } from '../domain/challenge.ts';
import { localized } from '../domain/localized.ts';
import type { Merchant } from '../domain/merchant.ts';
import { isFinal, type Payment } from '../domain/payment.ts';
import { findMerchant } from '../store/merchants.ts';
import { findPayment } from '../store/payments.ts';
import type { Tx } from '../store/transaction.ts';
import { findWallet, recordPinSuccess } from '../store/wallets.ts';
import type { ChallengeFailure, ChallengeFlow } from './challenge-flow.ts';
import { settlePayment } from './payments.ts';

/** Why a payment ended without being paid: shown on the page (and kept as the payment's failure_reason). */
export const PAYMENT_FAILURE = {
  expired: 'Payment expired',
  otpAttempts: 'Too many wrong verification codes',
  pinLocked: 'PIN locked',
  walletInactive: 'OVO account is not active',
  phoneChanged: 'The OVO account changed its phone number',
} as const;

export const CUSTOMER_CANCEL_REASON = 'Cancelled by customer';

/** A payment as its page shows it. */
export interface PaymentPage {
  payment: Payment;
  merchant: Merchant;
}

const FAILURE_REASON: Readonly<Record<Exclude<ChallengeFailure, 'cancelled'>, string>> = {
  otp_attempts: PAYMENT_FAILURE.otpAttempts,
  pin_locked: PAYMENT_FAILURE.pinLocked,
  wallet_inactive: PAYMENT_FAILURE.walletInactive,
  phone_changed: PAYMENT_FAILURE.phoneChanged,
};

/** The payment's side of its challenge: the code goes to the payment's phone, success settles it. */
export const PAYMENT_FLOW: ChallengeFlow<PaymentPage> = {
  purpose: 'payment',
  bindsBrowser: true,
  async load(ctx, challenge) {
    const payment = await findPayment(ctx.database.db, challenge.subject);
    const merchant = payment && await findMerchant(ctx.database.db, payment.merchantId);
    if (!payment || !merchant) return undefined;
    return { payment: await expireIfDue(ctx, payment), merchant };
  },
  isOver: ({ payment }) => isFinal(payment.status),
  code: (ctx, _challenge, { payment, merchant }) => ({
    // Payment codes are keyed apart from activation codes, so one can never stand in for the other.
    key: `payment:${payment.trxId}`,
    sendsMax: ctx.config.otp_sends_max,
    sms: { phone: payment.phone, text: (otp) => paymentOtpText(otp, merchant, payment.amount, ctx.config.otp_ttl_s) },
  }),
  codesExhausted: localized('No more codes can be sent for this payment. Start again from the shop.',
    'Kode tidak bisa dikirim lagi untuk pembayaran ini. Mulai lagi dari toko.'),
  async wallet(ctx, { payment }) {
    const wallet = await findWallet(ctx.database.db, payment.walletId);
    if (!wallet || wallet.status !== 'active') return 'wallet_inactive';
    // A phone change invalidates every link (spec §4.4), and with it the payments waiting on them.
    return wallet.phone === payment.phone ? wallet : 'phone_changed';
  },
  async fail(ctx, _challenge, { payment }, failure) {
    if (failure === 'cancelled') await settlePayment(ctx, payment, 'CANCELLED', { cancelReason: CUSTOMER_CANCEL_REASON });
    else await settlePayment(ctx, payment, 'FAILED', { failureReason: FAILURE_REASON[failure] });
    return FINISHED;
  },
  async succeed(ctx, _challenge, { payment }, wallet) {
    // The PIN check takes a while: the payment may have run out meanwhile, and then it is not paid. Either
    // way the right PIN clears the wallet's failed attempts, in the settlement's own unit of the group commit.
    const pinRight = { work: (tx: Tx) => recordPinSuccess(tx, wallet.id), walletRecords: [wallet.id] };
    if (isPastExpiry(payment, ctx.clock.now())) await settlePayment(ctx, payment, 'EXPIRED', { failureReason: PAYMENT_FAILURE.expired }, pinRight);
    else await settlePayment(ctx, payment, 'SUCCESS', {}, pinRight);
    return FINISHED;
  },
};

/** Whether the payment can no longer be authorised: its life ended (the sweeper may not have noticed yet). */
export function isPastExpiry(payment: Payment, now: number): boolean {
  return payment.status === 'PENDING' && payment.expiresAt <= now;
}

/** What the OTP SMS says; never logged. */
export function paymentOtpText(otp: string, merchant: Merchant, amount: bigint, ttlS: number): string {
  return `${otp} is your OVO verification code for paying ${merchant.name} Rp ${formatRupiahDigits(amount)}. `
    + `It is valid for ${Math.round(ttlS / 60)} minutes. Never share it with anyone, including OVO staff.`;
}

/** `150000n` → `150.000` (Indonesian thousands separator). */
export function formatRupiahDigits(amount: bigint): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return negative ? `-${grouped}` : grouped;
}

async function expireIfDue(ctx: GatewayContext, payment: Payment): Promise<Payment> {
  if (!isPastExpiry(payment, ctx.clock.now())) return payment;
  return settlePayment(ctx, payment, 'EXPIRED', { failureReason: PAYMENT_FAILURE.expired });
}
