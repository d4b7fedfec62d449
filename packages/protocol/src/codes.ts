export const RESPONSE_CODES = {
  '00': { desc: 'Success', http: 200 },
  '01': { desc: 'Failed', http: 200 },
  '02': { desc: 'Failed, please regenerate payment token', http: 200 },
  '03': { desc: 'Invalid Merchant', http: 404 },
  '13': { desc: 'Invalid Amount', http: 400 },
  '14': { desc: 'Invalid Order', http: 400 },
  '18': { desc: 'Invalid Customer or MSISDN is not found', http: 400 },
  '30': { desc: 'Format Error', http: 400 },
  '55': { desc: 'Incorrect User/Password', http: 401 },
  '56': { desc: 'Security Violation (from unknown IP-Address)', http: 403 },
  '63': { desc: 'Not Active / Suspended', http: 403 },
  '81': { desc: 'Already Been Paid', http: 409 },
  '83': { desc: 'Parameter is mandatory', http: 400 },
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
