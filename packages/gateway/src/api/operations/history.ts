import { formatJakartaDate, formatJakartaDateTime, jakartaDayEndExclusive, jakartaDayStart } from '@ovo-tokenize/protocol';
import type { Operation } from '../operation.ts';
import { toWireAmount } from '../../domain/amount-scale.ts';
import { DomainError } from '../../domain/errors.ts';
import { requireUsableLink } from '../../services/link-check.ts';
import { listPaymentHistory } from '../../store/payments.ts';

/** Deep offsets cost a scan; no customer pages this far through one merchant's history. */
export const HISTORY_OFFSET_MAX = 10_000;

export const history: Operation<'history'> = {
  name: 'history',
  async handle(ctx, { merchant, request }) {
    const today = formatJakartaDate(new Date(ctx.clock.now()));
    if (request.end_date > today) throw new DomainError('history_range_invalid', `end_date ${request.end_date} is after today (${today}, Jakarta time)`);
    if (request.start_date > request.end_date) throw new DomainError('history_range_invalid', 'start_date is after end_date');
    const offset = (request.page - 1) * request.limit;
    if (offset >= HISTORY_OFFSET_MAX) throw new DomainError('history_range_invalid', `page × limit must stay below ${HISTORY_OFFSET_MAX}; narrow the date range`);
    const { wallet } = await requireUsableLink(ctx, merchant, request.phone_no);
    const { rows, total } = await listPaymentHistory(ctx.database.db, {
      merchantId: merchant.merchantId,
      walletId: wallet.id,
      fromMs: jakartaDayStart(request.start_date).getTime(),
      toMsExclusive: jakartaDayEndExclusive(request.end_date).getTime(),
      offset,
      limit: request.limit,
    });
    const list = Object.fromEntries(rows.map((p, i) => [`transaction_${i + 1}`, {
      // The transaction's date — the payment reply's payment_day — which is also what the range selects by:
      // a payment made at 23:59 and authorised after midnight is listed, and dated, on the day it was made.
      payment_date: formatJakartaDateTime(new Date(p.createdAt)),
      status: p.status,
      trx_id: p.trxId,
      trx_amount: toWireAmount(merchant, p.amount),
      amount_detail: [
        { type: 'Cash', amt: toWireAmount(merchant, p.cashAmount) },
        { type: 'Points', amt: toWireAmount(merchant, p.pointsAmount) },
      ],
    }]));
    return { merchant: merchant.name, list_transaction: list, page: request.page, limit: request.limit, total };
  },
};
