// Everything that is not an answer to the question asked is thrown, as one of these. Answers (ok, failed,
// relink required) are returned as values instead: a customer without funds is not an exception.

export interface OvoErrorDetails {
  /** Machine-readable: `timeout`, `connection_failed`, `incorrect_signature`, `rate_limited`, `http_404`, … */
  readonly code: string;
  /** The reply's HTTP status: 200 for every protocol reply but a 429 (rate limited) or a 5xx. */
  readonly httpStatus?: number;
  /** The reply's `response_code`, when there was a reply carrying one. */
  readonly responseCode?: string;
  /** The `X-Request-Id` the client sent: quote it when asking the gateway's operator about a call. */
  readonly requestId?: string;
  /** The reply body as received (never the request, which holds the signature). */
  readonly raw?: string;
  readonly cause?: unknown;
}

export class OvoTokenizeError extends Error {
  override readonly name: string = 'OvoTokenizeError';
  readonly code: string;
  readonly httpStatus: number | undefined;
  readonly responseCode: string | undefined;
  readonly requestId: string | undefined;
  readonly raw: string | undefined;

  constructor(message: string, details: OvoErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.httpStatus = details.httpStatus;
    this.responseCode = details.responseCode;
    this.requestId = details.requestId;
    this.raw = details.raw;
  }
}

/** No reply: DNS, refused or reset connection, or the call was aborted by the caller's signal. */
export class OvoConnectionError extends OvoTokenizeError {
  override readonly name = 'OvoConnectionError';
}

/** No complete reply within `timeoutMs` (per attempt). */
export class OvoTimeoutError extends OvoTokenizeError {
  override readonly name = 'OvoTimeoutError';
}

/** A reply, notification or callback that cannot be read: wrong content type, malformed, fields missing. */
export class OvoFormatError extends OvoTokenizeError {
  override readonly name = 'OvoFormatError';
}

/** `55` wrong signature (user id, password or HMAC secret), `56` IP not allowed, `03` unknown merchant. */
export class OvoAuthenticationError extends OvoTokenizeError {
  override readonly name = 'OvoAuthenticationError';
}

/** `13` amount, `14` order (bill_no reused for another order, or unknown transaction), `30` format, `83` missing field. */
export class OvoInvalidRequestError extends OvoTokenizeError {
  override readonly name = 'OvoInvalidRequestError';
}

/**
 * `96` and other server failures, HTTP 429 (`code` `rate_limited`), unknown response codes, and HTTP replies
 * without a protocol body (`code` `http_<status>`: a proxy's page, a wrong endpoint path).
 */
export class OvoApiError extends OvoTokenizeError {
  override readonly name = 'OvoApiError';
}

export type SignatureProblem = 'hmac_missing' | 'hmac_malformed' | 'hmac_stale' | 'hmac_mismatch' | 'signature_mismatch';

/** A notification or callback that is not provably from the gateway. `code` says which check failed. */
export class OvoSignatureVerificationError extends OvoTokenizeError {
  override readonly name = 'OvoSignatureVerificationError';
  declare readonly code: SignatureProblem;

  constructor(message: string, code: SignatureProblem) {
    super(message, { code });
  }
}

/** Response codes by name, for `error.code`. */
const CODE_NAMES: Readonly<Record<string, string>> = {
  '03': 'invalid_merchant',
  '13': 'invalid_amount',
  '14': 'invalid_order',
  '18': 'customer_not_found',
  '30': 'format_error',
  '55': 'incorrect_signature',
  '56': 'ip_not_allowed',
  '63': 'not_active',
  '81': 'already_paid',
  '83': 'parameter_missing',
  '96': 'system_malfunction',
};

const AUTHENTICATION_CODES: ReadonlySet<string> = new Set(['03', '55', '56']);
const INVALID_REQUEST_CODES: ReadonlySet<string> = new Set(['13', '14', '30', '83']);

export interface ReplyFacts {
  readonly message: string;
  readonly httpStatus?: number;
  readonly responseCode?: string;
  readonly requestId?: string;
  readonly raw?: string;
}

/**
 * THE mapping from a refused call to its error class. The gateway answers every protocol reply with HTTP
 * 200, so the reply's response code decides; HTTP 429 is "slow down" whatever code the body carries (the
 * gateway's says 96). Without a response code there is only the status to go by (a proxy's 502 or 403, a
 * 404 from a wrong endpoint path): that is an OvoApiError naming it, never a guess at credentials or input.
 */
export function errorFor(facts: ReplyFacts): OvoTokenizeError {
  const { httpStatus, responseCode } = facts;
  const rateLimited = httpStatus === 429;
  const code = rateLimited ? 'rate_limited'
    : responseCode !== undefined ? (CODE_NAMES[responseCode] ?? `response_code_${responseCode}`) : `http_${httpStatus ?? 0}`;
  const details: OvoErrorDetails = {
    code,
    httpStatus,
    responseCode,
    requestId: facts.requestId,
    raw: facts.raw,
  };
  if (!rateLimited && responseCode !== undefined) {
    if (AUTHENTICATION_CODES.has(responseCode)) return new OvoAuthenticationError(facts.message, details);
    if (INVALID_REQUEST_CODES.has(responseCode)) return new OvoInvalidRequestError(facts.message, details);
  }
  return new OvoApiError(facts.message, details);
}
