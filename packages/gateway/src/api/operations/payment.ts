import { formatJakartaDateTime } from '@ovo-tokenize/protocol';
import type { Operation } from '../operation.ts';
import { createPayment } from '../../services/payments.ts';
import { paymentPageUrl } from '../../services/payment-page-url.ts';

export const payment: Operation<'payment'> = {
  name: 'payment',
  async handle(ctx, { merchant, request }) {
    const created = await createPayment(ctx, merchant, request);
    return {
      redirectURL: paymentPageUrl(ctx, created.pageToken),
      status: created.status,
      trx_id: created.trxId,
      bill_no: created.billNo,
      amount: created.amount,
      payment_day: formatJakartaDateTime(new Date(created.createdAt)),
    };
  },
};
