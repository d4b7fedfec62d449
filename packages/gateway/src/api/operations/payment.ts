import { formatJakartaDateTime } from '@ovo-tokenize/protocol';
import type { Operation } from '../operation.ts';
import { fromWireAmount, toWireAmount } from '../../domain/amount-scale.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Merchant } from '../../domain/merchant.ts';
import { createPayment } from '../../services/payments.ts';
import { paymentPageUrl } from '../../services/payment-page-url.ts';

export const payment: Operation<'payment'> = {
  name: 'payment',
  async handle(ctx, { merchant, request }) {
    const { payment: created, pageToken } = await createPayment(ctx, merchant, { ...request, bill_total: billTotalInRupiah(merchant, request.bill_total) });
    return {
      redirectURL: paymentPageUrl(ctx, pageToken),
      status: created.status,
      trx_id: created.trxId,
      bill_no: created.billNo,
      amount: toWireAmount(merchant, created.amount),
      payment_day: formatJakartaDateTime(new Date(created.createdAt)),
    };
  },
};

/** The wire's bill_total in whole rupiah, by the merchant's amount scale (PROTOCOL.md §3.1). */
function billTotalInRupiah(merchant: Merchant, wire: bigint): bigint {
  const rupiah = fromWireAmount(merchant, wire);
  if (rupiah === null) {
    throw new DomainError('amount_invalid',
      `bill_total ${wire} is a fraction of a rupiah: this merchant's amounts carry ${merchant.amountDecimals} implied decimals`);
  }
  return rupiah;
}
