// Domain failures, named by what went wrong for the customer or merchant. The API maps each reason to a
// response code in ONE table (api/error-codes.ts); nothing else decides codes.

export type DomainErrorReason =
  | 'merchant_unknown'
  | 'merchant_suspended'
  | 'ip_not_allowed'
  | 'signature_invalid'
  | 'wallet_unknown'
  | 'wallet_suspended'
  | 'pin_locked'
  | 'link_required'
  | 'insufficient_funds'
  | 'amount_invalid'
  | 'order_conflict'
  | 'transaction_unknown'
  | 'already_paid'
  | 'not_cancellable'
  | 'history_range_invalid'
  | 'hold_unknown'
  | 'hold_resolved';

export class DomainError extends Error {
  constructor(
    readonly reason: DomainErrorReason,
    message: string,
    readonly detail: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
