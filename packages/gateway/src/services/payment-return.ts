// The payment return URL (spec §4.11): where the payment page sends the customer's browser once the payment
// has ended, with its outcome signed like the notification. It proves nothing to the merchant about money
// (the notification does); it only brings the customer back to the shop.
import { PAYMENT_RETURN, formatJakartaDateTime, paymentStatusSignature } from '@ovo-tokenize/protocol';
import { toWireAmount } from '../domain/amount-scale.ts';
import type { Merchant } from '../domain/merchant.ts';
import { STATUS_CODE_OF, isFinal, type Payment } from '../domain/payment.ts';
import { withParams } from './activation-result.ts';

/** The merchant's payment return URL with the outcome of `payment`; undefined while it is pending or when the merchant has none. */
export function paymentReturnUrl(merchant: Merchant, payment: Payment): string | undefined {
  const base = merchant.paymentReturnUrl ?? merchant.returnUrl;
  if (!base || !isFinal(payment.status)) return undefined;
  return withParams(base, paymentReturnParams(merchant, payment));
}

/** The return URL's query parameters, in the catalogue's order. */
export function paymentReturnParams(merchant: Merchant, payment: Payment): URLSearchParams {
  const status = STATUS_CODE_OF[payment.status];
  const values: Record<(typeof PAYMENT_RETURN.fields)[number], string> = {
    trx_id: payment.trxId,
    merchant_id: merchant.merchantId,
    merchant: merchant.name,
    bill_no: payment.billNo,
    // A payment request carries no merchant reference apart from bill_no, so that is what comes back.
    bill_reff: payment.billNo,
    bill_total: toWireAmount(merchant, payment.amount).toString(),
    payment_reff: payment.status === 'SUCCESS' ? payment.paymentReff : '',
    payment_date: formatJakartaDateTime(new Date(payment.finishedAt ?? payment.createdAt)),
    status,
    signature: paymentStatusSignature(merchant.userId, merchant.password, payment.billNo, status),
  };
  return new URLSearchParams(PAYMENT_RETURN.fields.map((f) => [f, values[f]]));
}
