// Payment notifications (spec §4.5): the gateway POSTs one on every status change, at least once. A
// merchant reads it from the raw bytes, checks it came from the gateway, acts on it, and acknowledges.
import {
  HMAC_TOLERANCE_S, PAYMENT_NOTIFICATION, ProtocolError, contentTypeOf, detectFormat, formatJakartaDateTime,
  notificationSignature, parseBody, serialize, signaturesEqual, verifyHmacSignatureHeader, type WireFormat,
} from '@ovo-tokenize/protocol';
import { OvoFormatError, OvoSignatureVerificationError } from '../errors.ts';
import { tsName } from '../names.ts';
import type { PaymentNotification } from '../types.ts';
import { checkAmountDecimals, wireValue, type AmountDecimals } from '../values.ts';
import { headerOf, type HeaderSource } from './headers.ts';

/** The body exactly as it arrived: a string, or bytes (a Buffer is fine). Never a parsed object. */
export type RawBody = string | Uint8Array;

type NotificationField = (typeof PAYMENT_NOTIFICATION.fields)[number];

function invalid(message: string): OvoFormatError {
  return new OvoFormatError(message, { code: 'invalid_notification' });
}

function decodeUtf8(rawBody: RawBody): string {
  if (typeof rawBody === 'string') return rawBody;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
  } catch {
    throw invalid('notification body is not UTF-8');
  }
}

export interface ParseNotificationOptions {
  /**
   * Implied decimals of `bill_total` and `payment_total`, as the gateway has them set for the merchant
   * (0 default, or 2); `amount` and `paymentTotal` are whole rupiah either way. The same as the client's.
   */
  readonly amountDecimals?: AmountDecimals;
}

/**
 * Reads a notification: JSON or XML as its Content-Type names, or, when the label names neither (or is
 * missing), as its first character says, the way the gateway reads requests. Checks its shape only, not
 * where it came from: use verifyNotification for anything you act on.
 */
export function parseNotification(rawBody: RawBody, contentType: string | null | undefined,
  options: ParseNotificationOptions = {}): PaymentNotification {
  const decimals = checkAmountDecimals(options.amountDecimals ?? 0);
  const text = decodeUtf8(rawBody);
  const format = detectFormat(contentType ?? undefined, text);
  if (format === null) throw invalid(`notification (content type ${contentType ?? '(none)'}) is neither JSON nor XML`);
  let parsed: Record<string, string>;
  try {
    parsed = parseBody(format, text);
  } catch (error) {
    if (error instanceof ProtocolError) throw invalid(`notification is not readable ${format}: ${error.message}`);
    throw error;
  }
  const fields = {} as Record<NotificationField, string>;
  const out: Record<string, unknown> = {};
  for (const wire of PAYMENT_NOTIFICATION.fields) {
    const value = Object.hasOwn(parsed, wire) ? parsed[wire] : undefined;
    if (value === undefined) throw invalid(`notification has no ${wire}`);
    fields[wire] = value;
    out[tsName(wire)] = wireValue(wire, value, (m) => invalid(`notification ${m}`), decimals);
  }
  return { ...out, format, fields: Object.freeze(fields) } as PaymentNotification;
}

export interface VerifyNotificationOptions extends ParseNotificationOptions {
  readonly rawBody: RawBody;
  readonly contentType: string | null | undefined;
  /** The request headers; only X-Signature is read, and only when `hmacSecret` is set. */
  readonly headers?: HeaderSource;
  readonly userId: string;
  readonly password: string;
  /** Set it when the gateway gave you one: the HMAC covers the whole raw body, amounts included. */
  readonly hmacSecret?: string;
  /** How old (or how far ahead) the X-Signature timestamp may be. Default 300. */
  readonly toleranceS?: number;
  readonly now?: Date;
}

/**
 * Parses a notification and proves it came from the gateway: the X-Signature HMAC over the raw bytes
 * (when `hmacSecret` is set; a body that was parsed and re-serialised on the way no longer matches), then
 * the legacy `signature` field, compared in constant time. Throws OvoSignatureVerificationError (or
 * OvoFormatError for an unreadable body); returns the notification otherwise.
 *
 * The legacy signature covers only bill_no and the status code, not the amount, and carries no time, so
 * without an HMAC secret a captured notification can be replayed or its amounts altered.
 */
export function verifyNotification(options: VerifyNotificationOptions): PaymentNotification {
  if (options.hmacSecret) {
    const nowS = Math.floor((options.now ?? new Date()).getTime() / 1000);
    const header = headerOf(options.headers, 'x-signature');
    const check = verifyHmacSignatureHeader(options.hmacSecret, header, options.rawBody, nowS, options.toleranceS ?? HMAC_TOLERANCE_S);
    if (!check.ok) {
      throw new OvoSignatureVerificationError(HMAC_PROBLEM[check.reason], `hmac_${check.reason}`);
    }
  }
  const notification = parseNotification(options.rawBody, options.contentType, options);
  const expected = notificationSignature(options.userId, options.password, notification.fields.bill_no, notification.fields.payment_status_code);
  if (!signaturesEqual(expected, notification.fields.signature)) {
    throw new OvoSignatureVerificationError('notification signature does not match (wrong user id or password, or altered)', 'signature_mismatch');
  }
  return notification;
}

const HMAC_PROBLEM = {
  missing: 'X-Signature header is missing',
  malformed: 'X-Signature header is malformed',
  stale: 'X-Signature timestamp is outside the tolerance (check the clock)',
  mismatch: 'X-Signature does not match the raw body (wrong secret, altered or re-serialised body)',
} as const;

export interface NotificationAck {
  readonly status: 200;
  readonly contentType: string;
  readonly body: string;
}

export interface NotificationAckOptions {
  /** Default: the format the notification arrived in. */
  readonly format?: WireFormat;
  readonly now?: Date;
}

/** The acknowledgement (response code 00) the gateway expects back; anything else counts as not delivered. */
export function notificationAck(notification: PaymentNotification, options: NotificationAckOptions = {}): NotificationAck {
  const format = options.format ?? notification.format;
  const values: Record<(typeof PAYMENT_NOTIFICATION.ack)[number], string> = {
    response: PAYMENT_NOTIFICATION.request,
    trx_id: notification.fields.trx_id,
    merchant_id: notification.fields.merchant_id,
    bill_no: notification.fields.bill_no,
    response_code: '00',
    response_desc: 'Success',
    response_date: formatJakartaDateTime(options.now ?? new Date()),
  };
  const body = serialize(format, Object.fromEntries(PAYMENT_NOTIFICATION.ack.map((name) => [name, values[name]])));
  return { status: 200, contentType: contentTypeOf(format), body };
}
