// Sandbox triggers (README "Trigger"): the event a merchant's receiver must handle, produced by the real
// objects and the real state machine instead of a browser. A payment event makes (or reuses) a sandbox wallet,
// links it when it is not linked, creates the payment with createPayment, and ends it the way the hosted
// page or the expiry would; the callback or notification is the one those paths queue, sent by the dispatcher.
import { OVO_PAYMENT_CHANNEL, type ValidRequest } from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import type { Challenge } from '../domain/challenge.ts';
import { DomainError } from '../domain/errors.ts';
import type { Merchant } from '../domain/merchant.ts';
import type { PayType, Payment } from '../domain/payment.ts';
import type { Wallet } from '../domain/wallet.ts';
import { listDeliveries, type Delivery, type DeliveryKind } from '../delivery/outbox.ts';
import { findChallenge } from '../store/challenges.ts';
import { findPayment } from '../store/payments.ts';
import type { ChallengeFailure } from './challenge-flow.ts';
import { usableLink } from './link-check.ts';
import { ACTIVATION_FLOW, startActivation, walletForActivation } from './linking.ts';
import { PAYMENT_FLOW } from './payment-authorization.ts';
import { createPayment } from './payments.ts';

export const TRIGGER_EVENTS = [
  'payment.success', 'payment.failed', 'payment.expired', 'payment.cancelled', 'link.success', 'link.failed',
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export function isTriggerEvent(value: unknown): value is TriggerEvent {
  return typeof value === 'string' && (TRIGGER_EVENTS as readonly string[]).includes(value);
}

/** Every trigger's bill_no starts with this, so a receiver (and its developer) can tell them from orders. */
export const TRIGGER_BILL_PREFIX = 'SBX-TRIGGER-';
export const TRIGGER_DEFAULT_AMOUNT = 25_000n;
const TRIGGER_CUSTOMER = 'Sandbox Customer';

/** A trigger this merchant cannot have as asked (no receiver URL, an amount that cannot end that way, …). */
export class TriggerRefused extends Error {
  override readonly name = 'TriggerRefused';
}

export interface TriggerRequest {
  event: TriggerEvent;
  merchant: Merchant;
  /** Whole rupiah; default 25,000 (or just above the merchant's pinless limit when the event needs the PIN step). */
  amount?: bigint;
  payType?: PayType;
  /** Default: a fresh test phone, so each trigger gets a new funded sandbox wallet. */
  phone?: string;
}

export interface TriggerResult {
  event: TriggerEvent;
  phone: string;
  /** Whether this trigger linked the wallet (which queues an activation callback of its own). */
  linked: boolean;
  /** The activation callback of the link this trigger made (link events, or a payment event's first link). */
  callbackNotificationId?: string;
  payment?: Payment;
  /** The payment notification the outcome queued. */
  notificationId?: string;
}

/** Produces the event for real and returns what it made and which delivery carries it. */
export async function triggerEvent(ctx: GatewayContext, request: TriggerRequest): Promise<TriggerResult> {
  const { event, merchant } = request;
  if (merchant.status !== 'active') throw new TriggerRefused(`merchant ${merchant.merchantId} is suspended`);
  const isLinkEvent = event === 'link.success' || event === 'link.failed';
  if (isLinkEvent && !merchant.callbackUrl) {
    throw new TriggerRefused(`merchant ${merchant.merchantId} has no activation callback URL: set one with \`ovo-tokenize merchant update ${merchant.merchantId} --callback-url <url>\``);
  }
  if (!isLinkEvent && !merchant.notifyUrl) {
    throw new TriggerRefused(`merchant ${merchant.merchantId} has no notification URL: set one with \`ovo-tokenize merchant update ${merchant.merchantId} --notify-url <url>\``);
  }
  const amount = request.amount ?? defaultAmount(event, merchant);
  if (event !== 'payment.success' && !isLinkEvent && amount <= merchant.pinlessLimit) {
    throw new TriggerRefused(`Rp ${amount} is within merchant ${merchant.merchantId}'s pinless limit (Rp ${merchant.pinlessLimit}): such a payment is paid at once and cannot end as ${event}; pass an amount above the limit`);
  }
  const phone = request.phone ?? freshTestPhone(ctx);
  const wallet = await walletForActivation(ctx, phone, TRIGGER_CUSTOMER);
  const since = await newestDeliveryId(ctx, merchant);

  if (isLinkEvent) {
    await link(ctx, merchant, phone, event === 'link.success' ? undefined : 'otp_attempts');
    return { event, phone, linked: event === 'link.success', callbackNotificationId: (await deliveryOf(ctx, merchant, 'activation_callback', since, `phone_number=${phone}`))?.notificationId };
  }

  const linked = !('link' in await usableLink(ctx, merchant, phone));
  if (linked) await link(ctx, merchant, phone, undefined);
  const callbackNotificationId = linked ? (await deliveryOf(ctx, merchant, 'activation_callback', since, `phone_number=${phone}`))?.notificationId : undefined;
  const payment = await pay(ctx, merchant, wallet, event, amount, request.payType ?? '0');
  const notification = await deliveryOf(ctx, merchant, 'payment_notification', since, payment.trxId);
  return { event, phone, linked, callbackNotificationId, payment, notificationId: notification?.notificationId };
}

/** Opens an activation session and ends it as the activation page would: linked, or failed for `failure`. */
async function link(ctx: GatewayContext, merchant: Merchant, phone: string, failure: ChallengeFailure | undefined): Promise<void> {
  const url = await startActivation(ctx, merchant, phone, TRIGGER_CUSTOMER);
  // The session's challenge has the session's id, the last part of its page's address.
  const challenge = await challengeOf(ctx, decodeURIComponent(new URL(url).pathname.split('/').pop() ?? ''));
  const activation = await ACTIVATION_FLOW.load(ctx, challenge);
  if (!activation) throw new Error(`activation session ${challenge.id} vanished`);
  if (failure !== undefined) {
    await ACTIVATION_FLOW.fail(ctx, challenge, activation, failure);
    return;
  }
  const wallet = await ACTIVATION_FLOW.wallet(ctx, activation);
  if (typeof wallet === 'string') throw new DomainError('wallet_suspended', `the wallet of ${phone} cannot be linked (${wallet})`);
  await ACTIVATION_FLOW.succeed(ctx, challenge, activation, wallet);
}

/** Creates the payment and ends it as the payment page (or, for payment.expired, its expiry) would. */
async function pay(ctx: GatewayContext, merchant: Merchant, wallet: Wallet, event: TriggerEvent, amount: bigint, payType: PayType): Promise<Payment> {
  const request: ValidRequest<'payment'> = {
    request: 'Payment OVO Open API', merchant_id: merchant.merchantId, bill_no: `${TRIGGER_BILL_PREFIX}${ctx.random.bytes(8).toString('hex')}`,
    bill_desc: `Sandbox trigger ${event}`, bill_total: amount, bill_currency: 'IDR', payment_channel: OVO_PAYMENT_CHANNEL,
    phone_no: wallet.phone, cust_name: TRIGGER_CUSTOMER, email: 'sandbox@example.com', pay_type: payType, signature: '',
  };
  // A payment.expired payment is created with no time to live, so the real expiry (the page's check below, or
  // the sweeper) ends it at once, at the gateway's own time: no clock is moved, nothing waits payment_ttl_s.
  const creating: GatewayContext = event === 'payment.expired' ? { ...ctx, config: { ...ctx.config, payment_ttl_s: 0 } } : ctx;
  const { payment, pageToken } = await createPayment(creating, merchant, request);
  if (payment.status !== 'PENDING') return payment; // pinless: paid at once, its notification already queued
  const challenge = await challengeOf(ctx, pageToken);
  // Loading the page is the page's own expiry check: a payment.expired payment ends here.
  const page = await PAYMENT_FLOW.load(ctx, challenge);
  if (!page) throw new Error(`payment ${payment.trxId} vanished`);
  if (event === 'payment.success') {
    const payer = await PAYMENT_FLOW.wallet(ctx, page);
    if (typeof payer === 'string') throw new DomainError('wallet_suspended', `the wallet of ${wallet.phone} cannot pay (${payer})`);
    await PAYMENT_FLOW.succeed(ctx, challenge, page, payer);
  } else if (event === 'payment.failed' || event === 'payment.cancelled') {
    await PAYMENT_FLOW.fail(ctx, challenge, page, event === 'payment.cancelled' ? 'cancelled' : 'otp_attempts');
  }
  return (await findPayment(ctx.database.db, payment.trxId))!;
}

function defaultAmount(event: TriggerEvent, merchant: Merchant): bigint {
  if (event === 'payment.success' || TRIGGER_DEFAULT_AMOUNT > merchant.pinlessLimit) return TRIGGER_DEFAULT_AMOUNT;
  return merchant.pinlessLimit + 1n;
}

/** `0899` and 8 random digits: a number no real customer is given in the sandbox. */
function freshTestPhone(ctx: GatewayContext): string {
  return `0899${String(ctx.random.int(0, 100_000_000)).padStart(8, '0')}`;
}

async function challengeOf(ctx: GatewayContext, id: string): Promise<Challenge> {
  const challenge = await findChallenge(ctx.database.db, id);
  if (!challenge) throw new Error(`challenge ${id} vanished`);
  return challenge;
}

async function newestDeliveryId(ctx: GatewayContext, merchant: Merchant): Promise<bigint> {
  const [newest] = await listDeliveries(ctx.database.db, { merchantId: merchant.merchantId, limit: 1 });
  return newest?.id ?? 0n;
}

/** The delivery this trigger caused: of its kind, queued after `since`, naming its payment or phone. */
async function deliveryOf(ctx: GatewayContext, merchant: Merchant, kind: DeliveryKind, since: bigint, naming: string): Promise<Delivery | undefined> {
  const recent = await listDeliveries(ctx.database.db, { merchantId: merchant.merchantId, limit: 50 });
  return recent.find((d) => d.id > since && d.kind === kind && (d.kind === 'activation_callback' ? d.url : d.body ?? '').includes(naming));
}
