import { PAYMENT_STATUS, formatJakartaDateTime } from '@ovo-tokenize/protocol';
import type { Operation } from '../operation.ts';
import { STATUS_CODE_OF } from '../../domain/payment.ts';
import { cancelPayment } from '../../services/payments.ts';

export const cancel: Operation<'cancel'> = {
  name: 'cancel',
  faspayPaths: ['/cvr/100005/10', '/pws/100005/183xx00010100000', '/pws/100005/383xx00010100000'],
  async handle(ctx, { merchant, request }) {
    const cancelled = await cancelPayment(ctx, merchant, request.trx_id, request.bill_no, request.payment_cancel);
    const code = STATUS_CODE_OF[cancelled.status];
    return {
      merchant: merchant.name,
      trx_status_code: code,
      trx_status_desc: PAYMENT_STATUS[code],
      payment_status_code: code,
      payment_status_desc: PAYMENT_STATUS[code],
      payment_cancel_date: formatJakartaDateTime(new Date(cancelled.finishedAt ?? ctx.clock.now())),
      payment_cancel: cancelled.cancelReason ?? request.payment_cancel,
    };
  },
};
