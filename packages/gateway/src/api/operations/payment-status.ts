import { PAYMENT_STATUS, formatJakartaDateTime } from '@ovo-tokenize/protocol';
import type { Operation } from '../operation.ts';
import { STATUS_CODE_OF } from '../../domain/payment.ts';
import { findMerchantPayment } from '../../services/payments.ts';

export const paymentStatus: Operation<'payment-status'> = {
  name: 'payment-status',
  faspayPaths: ['/cvr/100004/10', '/pws/100004/183xx00010100000', '/pws/100004/383xx00010100000'],
  async handle(ctx, { merchant, request }) {
    const payment = await findMerchantPayment(ctx, merchant, request.trx_id, request.bill_no);
    const code = STATUS_CODE_OF[payment.status];
    return {
      merchant: merchant.name,
      payment_reff: payment.paymentReff,
      payment_date: formatJakartaDateTime(new Date(payment.finishedAt ?? payment.createdAt)),
      payment_status_code: code,
      payment_status_desc: PAYMENT_STATUS[code],
    };
  },
};
