/**
 * Every code with the HTTP status its reply travels with: 200 for all but `96` (PROTOCOL.md §3), because
 * every Faspay client found reads a reply's body only on HTTP 200.
 */
export const RESPONSE_CODES = {
  '00': { desc: 'Success', http: 200 },
  '01': { desc: 'Failed', http: 200 },
  '02': { desc: 'Failed, please regenerate payment token', http: 200 },
  '03': { desc: 'Invalid Merchant', http: 200 },
  '13': { desc: 'Invalid Amount', http: 200 },
  '14': { desc: 'Invalid Order', http: 200 },
  '18': { desc: 'Invalid Customer or MSISDN is not found', http: 200 },
  '30': { desc: 'Format Error', http: 200 },
  '55': { desc: 'Incorrect User/Password', http: 200 },
  '56': { desc: 'Security Violation (from unknown IP-Address)', http: 200 },
  '63': { desc: 'Not Active / Suspended', http: 200 },
  '81': { desc: 'Already Been Paid', http: 200 },
  '83': { desc: 'Parameter is mandatory', http: 200 },
  '96': { desc: 'System Malfunction', http: 500 },
} as const;

export type ResponseCode = keyof typeof RESPONSE_CODES;

export function isResponseCode(value: string): value is ResponseCode {
  return Object.hasOwn(RESPONSE_CODES, value);
}

export const PAYMENT_STATUS = {
  '0': 'Unprocessed',
  '1': 'In Process',
  '2': 'Payment Success',
  '3': 'Payment Failed',
  '4': 'Payment Reversal',
  '5': 'No bills found',
  '7': 'Payment Expired',
  '8': 'Payment Cancelled',
  '9': 'Unknown',
} as const;

export type PaymentStatusCode = keyof typeof PAYMENT_STATUS;

export function isPaymentStatusCode(value: string): value is PaymentStatusCode {
  return Object.hasOwn(PAYMENT_STATUS, value);
}

/** A request the protocol layer refuses; `message` is written to be shown to the merchant as is. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: ResponseCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
