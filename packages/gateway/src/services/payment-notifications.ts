import {
  OVO_PAYMENT_CHANNEL, OVO_PAYMENT_CHANNEL_NAME, PAYMENT_NOTIFICATION, PAYMENT_STATUS, contentTypeOf, formatJakartaDateTime,
  notificationSignature, serialize, type ReplyValue,
} from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import { enqueueDelivery, newNotificationId } from '../delivery/outbox.ts';
import { toWireAmount } from '../domain/amount-scale.ts';
import type { Merchant } from '../domain/merchant.ts';
import { STATUS_CODE_OF, type Payment } from '../domain/payment.ts';
import type { OutboxRow } from '../delivery/dispatcher.ts';
import type { Tx } from '../store/transaction.ts';

/** The notification body (spec §4.5) for the payment's current status, in the catalogue's field order. */
export function paymentNotificationFields(merchant: Merchant, payment: Payment): Record<string, ReplyValue> {
  const code = STATUS_CODE_OF[payment.status];
  const values: Record<(typeof PAYMENT_NOTIFICATION.fields)[number], ReplyValue> = {
    request: PAYMENT_NOTIFICATION.request,
    trx_id: payment.trxId,
    merchant_id: merchant.merchantId,
    merchant: merchant.name,
    bill_no: payment.billNo,
    payment_reff: payment.paymentReff,
    payment_date: formatJakartaDateTime(new Date(payment.finishedAt ?? payment.createdAt)),
    payment_status_code: code,
    payment_status_desc: PAYMENT_STATUS[code],
    bill_total: toWireAmount(merchant, payment.amount),
    payment_total: toWireAmount(merchant, payment.status === 'SUCCESS' ? payment.amount : 0n),
    payment_channel_uid: OVO_PAYMENT_CHANNEL,
    payment_channel: OVO_PAYMENT_CHANNEL_NAME,
    signature: notificationSignature(merchant.userId, merchant.password, payment.billNo, code),
  };
  return Object.fromEntries(PAYMENT_NOTIFICATION.fields.map((f) => [f, values[f]]));
}

/**
 * Queues the notification in the caller's transaction: the status change and its notice commit together.
 * With `handOver` the row is leased to this gateway's dispatcher and returned, for the caller to hand over
 * after its commit (no claim needed); otherwise the caller wakes the dispatcher.
 */
export async function enqueuePaymentNotification(ctx: GatewayContext, tx: Tx, merchant: Merchant, payment: Payment,
  options: { handOver?: boolean } = {}): Promise<OutboxRow | undefined> {
  if (!merchant.notifyUrl) return undefined;
  const now = ctx.clock.now();
  return enqueueDelivery(tx, {
    kind: 'payment_notification',
    merchantId: merchant.merchantId,
    method: 'POST',
    url: merchant.notifyUrl,
    contentType: contentTypeOf(merchant.notifyFormat),
    body: serialize(merchant.notifyFormat, paymentNotificationFields(merchant, payment)),
    billNo: payment.billNo,
  }, {
    now, retryHorizonMs: ctx.config.delivery_horizon_s * 1000, notificationId: newNotificationId(ctx.random),
    leaseUntil: options.handOver ? ctx.deliveries.leaseUntil(now) : undefined,
  });
}
