import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Faspay's signature: lower-case hex SHA-1 of the lower-case hex MD5 of the concatenated parts. */
export function legacySignature(...parts: string[]): string {
  const md5 = createHash('md5').update(parts.join(''), 'utf8').digest('hex');
  return createHash('sha1').update(md5, 'utf8').digest('hex');
}

/** `value` is `phone_no` for the OVO operations and `bill_no` for payment-status and cancel. */
export function requestSignature(userId: string, password: string, value: string): string {
  return legacySignature(userId, password, value);
}

/**
 * Signs a payment's status for the merchant: the payment notification (§4.5) and the payment return URL the
 * customer's browser brings back (§4.11) carry the same sha1(md5(user_id + password + bill_no + status code)).
 */
export function paymentStatusSignature(
  userId: string,
  password: string,
  billNo: string,
  paymentStatusCode: string,
): string {
  return legacySignature(userId, password, billNo, paymentStatusCode);
}

/** The payment notification's signature (§4.5), by the name the notification code knows it by. */
export const notificationSignature = paymentStatusSignature;

export function activationCallbackSignature(
  userId: string,
  password: string,
  phoneNumber: string,
  responseCode: string,
): string {
  return legacySignature(userId, password, phoneNumber, responseCode);
}

/** Constant-time, case-insensitive (hex) comparison; strings of different lengths are simply unequal. */
export function signaturesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase(), 'utf8');
  const right = Buffer.from(b.toLowerCase(), 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

function hmacHex(secret: string, rawBody: string | Uint8Array, unixSeconds: number): string {
  const hmac = createHmac('sha256', secret).update(`${unixSeconds}.`, 'utf8');
  if (typeof rawBody === 'string') hmac.update(rawBody, 'utf8');
  else hmac.update(rawBody);
  return hmac.digest('hex');
}

/** `X-Signature` value: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`. */
export function hmacSignatureHeader(
  secret: string,
  rawBody: string | Uint8Array,
  unixSeconds: number,
): string {
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) {
    throw new RangeError('unixSeconds must be a non-negative integer');
  }
  return `t=${unixSeconds},v1=${hmacHex(secret, rawBody, unixSeconds)}`;
}

export type HmacVerification =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export const HMAC_TOLERANCE_S = 300;

/**
 * Accepts several `v1=` entries so a sender can sign with the old and the new secret during a key
 * rotation. The signature is checked before the age, so `stale` always means "genuine but too old"
 * (usually clock skew), never a hint to a forger.
 */
export function verifyHmacSignatureHeader(
  secret: string,
  header: string | undefined,
  rawBody: string | Uint8Array,
  nowUnixSeconds: number,
  toleranceS: number = HMAC_TOLERANCE_S,
): HmacVerification {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };

  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq === -1) return { ok: false, reason: 'malformed' };
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^[0-9]{1,12}$/.test(value)) {
        return { ok: false, reason: 'malformed' };
      }
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return { ok: false, reason: 'malformed' };
      candidates.push(value);
    }
    // Other schemes (v0, v2, …) are ignored so that a future scheme can be added alongside v1.
  }
  if (timestamp === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };

  const expected = hmacHex(secret, rawBody, timestamp);
  let matched = false;
  // No early exit: every candidate is compared so timing does not reveal which one matched.
  for (const candidate of candidates) {
    if (signaturesEqual(candidate, expected)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowUnixSeconds - timestamp) > toleranceS) return { ok: false, reason: 'stale' };
  return { ok: true };
}
