// The payment return (spec §4.11): when the gateway's payment page reaches an outcome it sends the customer's
// browser back to the merchant's payment return URL with the outcome in the query, signed like the
// notification. It brings the customer back; it never proves a payment (only the notification does).
import { PAYMENT_RETURN, isPaymentStatusCode, paymentStatusSignature, signaturesEqual, type PaymentStatusCode } from '@ovo-tokenize/protocol';
import { OvoFormatError, OvoSignatureVerificationError } from '../errors.ts';
import { tsName, type TsName } from '../names.ts';
import { checkAmountDecimals, wireValue, type AmountDecimals } from '../values.ts';
import { toParams, type CallbackQuery } from './activation-callback.ts';

type ReturnFieldName = (typeof PAYMENT_RETURN.fields)[number];

/**
 * The return URL's query parameters, camelCased: `trxId`, `merchantId`, `merchant`, `billNo`, `billReff`,
 * `amount` (bill_total, whole rupiah), `paymentReff` ('' unless paid), `paymentDate`, `status`, `signature`.
 */
export type PaymentReturn = { readonly [W in Exclude<ReturnFieldName, 'bill_total' | 'status'> as TsName<W>]: string } & {
  /** `bill_total` in whole rupiah. */
  readonly amount: bigint;
  /** The payment status code of §4.5: `2` paid, `3` failed, `7` expired, `8` cancelled (an unknown code reads `9`). */
  readonly status: PaymentStatusCode;
};

export interface VerifyPaymentReturnOptions {
  readonly userId: string;
  readonly password: string;
  /** Implied decimals of `bill_total`, as the gateway has them set for the merchant (0 default, or 2). */
  readonly amountDecimals?: AmountDecimals;
}

function invalid(message: string): OvoFormatError {
  return new OvoFormatError(message, { code: 'invalid_callback' });
}

/**
 * Reads the payment return URL's query and checks its signature, sha1(md5(user_id + password + bill_no +
 * status)), in constant time; throws OvoSignatureVerificationError when it does not match, OvoFormatError
 * when a parameter is missing, repeated or unreadable. Even a verified `status` `2` only says what to show
 * the customer: mark the order paid on the verified notification.
 */
export function verifyPaymentReturn(query: CallbackQuery, options: VerifyPaymentReturnOptions): PaymentReturn {
  const decimals = checkAmountDecimals(options.amountDecimals ?? 0);
  const params = toParams(query);
  const fields = {} as Record<ReturnFieldName, string>;
  for (const wire of PAYMENT_RETURN.fields) {
    const values = params.getAll(wire);
    if (values.length === 0) throw invalid(`payment return has no ${wire}`);
    if (values.length > 1) throw invalid(`payment return has ${wire} more than once`);
    fields[wire] = values[0]!;
  }
  const expected = paymentStatusSignature(options.userId, options.password, fields.bill_no, fields.status);
  if (!signaturesEqual(expected, fields.signature)) {
    throw new OvoSignatureVerificationError('payment return signature does not match (wrong user id or password, or altered)', 'signature_mismatch');
  }
  const out: Record<string, unknown> = {};
  for (const wire of PAYMENT_RETURN.fields) out[tsName(wire)] = wireValue(wire, fields[wire], (m) => invalid(`payment return ${m}`), decimals);
  out.status = isPaymentStatusCode(fields.status) ? fields.status : '9';
  return out as PaymentReturn;
}
