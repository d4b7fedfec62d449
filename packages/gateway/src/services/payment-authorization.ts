// The customer's side of a payment (spec §4.3): on the hosted page behind the reply's redirectURL they
// confirm with an SMS code (when the merchant asks for one) and then their OVO PIN, or cancel. Same safety
// as linking: the first browser is bound by a cookie, every POST carries the CSRF token, attempts are counted
// atomically before the secret is checked, and PIN failures feed the wallet's shared lockout.
import { secretHash, secretsEqual } from '../domain/secrets.ts';
import type { GatewayContext } from '../context.ts';
import { STEP_TEXT, localized, type Localized } from '../domain/localized.ts';
import type { Merchant } from '../domain/merchant.ts';
import { isFinal, type Payment } from '../domain/payment.ts';
import { randomToken } from '../domain/random.ts';
import { findMerchant } from '../store/merchants.ts';
import { findPaymentByPageToken, paymentOtpRow, updatePendingPayment } from '../store/payments.ts';
import { findWallet, recordPinSuccess } from '../store/wallets.ts';
import { checkOtp, resendOtpIfAllowed, sendOtp, type OtpSendRequest } from './otp-check.ts';
import { checkWalletPin } from './pin-check.ts';
import { paymentReturnUrl } from './payment-return.ts';
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

export type PaymentPageProblem = 'not_found' | 'other_browser';

export interface PaymentView {
  payment: Payment;
  merchant: Merchant;
  /** Set when this request bound the payment to the browser: the page must send it as a cookie. */
  newBrowserKey?: string;
  /** A one-line message for the customer, e.g. after a wrong PIN. */
  flash?: Localized;
  /** How `flash` is shown: an error (the default) or a confirmation. */
  flashKind?: 'error' | 'info';
  /** Where the browser goes once the payment has ended, with the outcome parameters (spec §4.11). */
  returnUrl?: string;
}

export type PaymentStepOutcome =
  | { kind: 'ok' }
  /** Show the step again (HTTP 422) with `message`: an error, or with `info` a confirmation. */
  | { kind: 'retry'; message: Localized; info?: true }
  | { kind: 'finished' }
  | { kind: 'forbidden' };

export interface PaymentStepInput {
  token: string;
  browserKey: string | undefined;
  csrfToken: string | undefined;
}

/**
 * Loads the payment for its page. The first browser to open a pending payment is bound to it by a cookie, so
 * a leaked URL is useless elsewhere. A payment past its life is settled EXPIRED here, whether or not the
 * sweeper has run. Opening the OTP step before any code was sent sends one.
 */
export async function openPaymentPage(ctx: GatewayContext, token: string, browserKey: string | undefined): Promise<PaymentView | PaymentPageProblem> {
  let payment = await findPaymentByPageToken(ctx.database.db, token);
  if (!payment) return 'not_found';
  const merchant = await findMerchant(ctx.database.db, payment.merchantId);
  if (!merchant) return 'not_found';
  let newBrowserKey: string | undefined;
  if (payment.browserKeyHash === null) {
    if (!isFinal(payment.status)) {
      newBrowserKey = randomToken(ctx.random);
      const bound = await ctx.database.db.updateTable('payments').set({ browser_key_hash: secretHash(newBrowserKey) })
        .where('trx_id', '=', payment.trxId).where('status', '=', 'PENDING').where('browser_key_hash', 'is', null)
        .executeTakeFirst();
      if (bound.numUpdatedRows !== 1n) {
        // Another browser won the race, or the payment just ended: look again.
        payment = (await findPaymentByPageToken(ctx.database.db, token))!;
        if (payment.browserKeyHash !== null) return 'other_browser';
        newBrowserKey = undefined;
      }
    }
  } else if (!browserKeyMatches(payment, browserKey)) {
    return 'other_browser';
  }
  payment = await expireIfDue(ctx, payment);
  if (payment.status === 'PENDING' && payment.authStep === 'otp' && payment.otpSends === 0) {
    await sendOtp(ctx, paymentOtpSend(ctx, payment, merchant));
    payment = (await findPaymentByPageToken(ctx.database.db, token))!;
  }
  return { payment, merchant, newBrowserKey, returnUrl: paymentReturnUrl(merchant, payment) };
}

export async function submitPaymentOtp(ctx: GatewayContext, input: PaymentStepInput & { otp: string }): Promise<PaymentStepOutcome> {
  const loaded = await loadForStep(ctx, input);
  if ('kind' in loaded) return loaded;
  const { payment } = loaded;
  if (payment.authStep !== 'otp') return { kind: 'ok' };
  const check = await checkOtp(ctx, paymentOtpRow(payment.trxId), payment, otpKey(payment), input.otp);
  if (check.kind === 'retry') return check;
  if (check.kind === 'used_up') {
    await settlePayment(ctx, payment, 'FAILED', { failureReason: PAYMENT_FAILURE.otpAttempts });
    return { kind: 'finished' };
  }
  // Single use: the code is gone once it has worked.
  await updatePendingPayment(ctx.database.db, payment.trxId, { auth_step: 'pin', otp_hash: null, otp_expires_at: null }, { authStep: 'otp' });
  return { kind: 'ok' };
}

export async function resendPaymentOtp(ctx: GatewayContext, input: PaymentStepInput): Promise<PaymentStepOutcome> {
  const loaded = await loadForStep(ctx, input);
  if ('kind' in loaded) return loaded;
  const { payment, merchant } = loaded;
  if (payment.authStep !== 'otp') return { kind: 'ok' };
  const refusal = await resendOtpIfAllowed(ctx, payment, paymentOtpSend(ctx, payment, merchant), localized(
    'No more codes can be sent for this payment. Start again from the shop.',
    'Kode tidak bisa dikirim lagi untuk pembayaran ini. Mulai lagi dari toko.'), () => findPaymentByPageToken(ctx.database.db, input.token));
  if (refusal) return { kind: 'retry', message: refusal };
  return { kind: 'retry', message: STEP_TEXT.newCodeSent, info: true };
}

export async function submitPaymentPin(ctx: GatewayContext, input: PaymentStepInput & { pin: string }): Promise<PaymentStepOutcome> {
  const loaded = await loadForStep(ctx, input);
  if ('kind' in loaded) return loaded;
  const { payment } = loaded;
  if (payment.authStep !== 'pin') return { kind: 'ok' };
  if (!/^[0-9]{6}$/.test(input.pin)) return { kind: 'retry', message: STEP_TEXT.pinShape };
  const wallet = await findWallet(ctx.database.db, payment.walletId);
  if (!wallet || wallet.status !== 'active') {
    await settlePayment(ctx, payment, 'FAILED', { failureReason: PAYMENT_FAILURE.walletInactive });
    return { kind: 'finished' };
  }
  // A phone change invalidates every link (spec §4.4), and with it the payments waiting on them.
  if (wallet.phone !== payment.phone) {
    await settlePayment(ctx, payment, 'FAILED', { failureReason: PAYMENT_FAILURE.phoneChanged });
    return { kind: 'finished' };
  }
  const check = await checkWalletPin(ctx, wallet, input.pin);
  if (check.kind === 'locked') {
    await settlePayment(ctx, payment, 'FAILED', { failureReason: PAYMENT_FAILURE.pinLocked });
    return { kind: 'finished' };
  }
  if (check.kind === 'wrong' || check.kind === 'busy') return { kind: 'retry', message: check.message };
  await recordPinSuccess(ctx.database.db, wallet.id);
  // The PIN check takes a while: the payment may have run out meanwhile, and then it is not paid.
  const current = await expireIfDue(ctx, payment);
  if (current.status === 'PENDING') await settlePayment(ctx, current, 'SUCCESS');
  return { kind: 'finished' };
}

export async function cancelPaymentByCustomer(ctx: GatewayContext, input: PaymentStepInput): Promise<PaymentStepOutcome> {
  const loaded = await loadForStep(ctx, input);
  if ('kind' in loaded) return loaded;
  await settlePayment(ctx, loaded.payment, 'CANCELLED', { cancelReason: CUSTOMER_CANCEL_REASON });
  return { kind: 'finished' };
}

export function browserKeyMatches(payment: Payment, browserKey: string | undefined): boolean {
  if (payment.browserKeyHash === null || browserKey === undefined) return false;
  return secretsEqual(secretHash(browserKey), payment.browserKeyHash);
}

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

/** Checks that the POST comes from the bound browser with the form's CSRF token, and the payment is still payable. */
async function loadForStep(ctx: GatewayContext, input: PaymentStepInput): Promise<{ payment: Payment; merchant: Merchant } | PaymentStepOutcome> {
  const payment = await findPaymentByPageToken(ctx.database.db, input.token);
  if (!payment || !browserKeyMatches(payment, input.browserKey) || !secretsEqual(payment.csrfToken, input.csrfToken)) {
    return { kind: 'forbidden' };
  }
  const merchant = await findMerchant(ctx.database.db, payment.merchantId);
  if (!merchant) return { kind: 'forbidden' };
  const current = await expireIfDue(ctx, payment);
  if (isFinal(current.status)) return { kind: 'finished' };
  return { payment: current, merchant };
}

async function expireIfDue(ctx: GatewayContext, payment: Payment): Promise<Payment> {
  if (!isPastExpiry(payment, ctx.clock.now())) return payment;
  return settlePayment(ctx, payment, 'EXPIRED', { failureReason: PAYMENT_FAILURE.expired });
}

/** The payment's code, sent to the payment's phone. */
function paymentOtpSend(ctx: GatewayContext, payment: Payment, merchant: Merchant): OtpSendRequest {
  return {
    row: paymentOtpRow(payment.trxId),
    key: otpKey(payment),
    sendsMax: ctx.config.otp_sends_max,
    sms: { phone: payment.phone, text: (otp) => paymentOtpText(otp, merchant, payment.amount, ctx.config.otp_ttl_s) },
  };
}

/** Payment codes are keyed apart from activation codes, so one can never stand in for the other. */
function otpKey(payment: Payment): string {
  return `payment:${payment.trxId}`;
}

