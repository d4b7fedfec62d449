// The shapes a hosted page accepts from a URL path, a query string, a cookie or a form, checked before any
// value goes near a query: anything else is treated as absent (an unknown token, no cookie, the first page),
// so hostile input ends in the page's usual "not found" or "refused" answer, never in a database error.
// Phone numbers go through the protocol's normalizePhone and codes/PINs through their own checks in the
// services; both happen before anything is stored.

/**
 * Every token the gateway hands out — page tokens, session ids, browser keys, session cookies, CSRF tokens —
 * is randomToken's 32 random bytes (or an HMAC-SHA256) in unpadded base64url: exactly 43 characters.
 */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The largest value a 64-bit integer column (ids, on both databases) holds. */
export const INT64_MAX = 2n ** 63n - 1n;

/** Digits only, no sign, no leading zero; the range is checked separately (19 digits can exceed INT64_MAX). */
const POSITIVE_INTEGER_SHAPE = /^[1-9][0-9]{0,18}$/;

export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_SHAPE.test(value);
}

/** The value when it has a token's shape, else undefined (a token that cannot exist is no token at all). */
export function tokenOrUndefined(value: unknown): string | undefined {
  return isToken(value) ? value : undefined;
}

/** A keyset cursor (a transfer id): a positive integer that fits a 64-bit column, else undefined. */
export function cursorOrUndefined(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !POSITIVE_INTEGER_SHAPE.test(value)) return undefined;
  const cursor = BigInt(value);
  return cursor <= INT64_MAX ? cursor : undefined;
}
