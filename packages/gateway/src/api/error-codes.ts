import type { ResponseCode } from '@ovo-tokenize/protocol';
import type { DomainErrorReason } from '../domain/errors.ts';

/** THE table from domain failures to response codes; HTTP statuses follow from the codes (protocol package). */
export const RESPONSE_CODE_OF: Readonly<Record<DomainErrorReason, ResponseCode>> = {
  merchant_unknown: '03',
  merchant_suspended: '63',
  ip_not_allowed: '56',
  signature_invalid: '55',
  wallet_unknown: '18',
  wallet_suspended: '63',
  pin_locked: '63',
  link_required: '02',
  insufficient_funds: '01',
  amount_invalid: '13',
  order_conflict: '14',
  transaction_unknown: '14',
  already_paid: '81',
  not_cancellable: '01',
  // A date range or page the history cannot serve: the fields were well formed, the request is not.
  history_range_invalid: '30',
  // A hold that is missing or already settled means our own bookkeeping went wrong, never the caller's input.
  hold_unknown: '96',
  hold_resolved: '96',
};
