import {
  OPERATIONS, ProtocolError, RESPONSE_CODES, contentTypeOf, detectFormat, parseBody, requestSignature,
  serialize, signaturesEqual, validateRequest, verifyHmacSignatureHeader,
  type OperationName, type ReplyValue, type ResponseCode, type WireFormat,
} from '@ovo-tokenize/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { isIpAllowed } from '../domain/merchant.ts';
import { findMerchantCached } from '../store/merchants.ts';
import { noteApiReply } from './access-log.ts';
import { RESPONSE_CODE_OF } from './error-codes.ts';
import type { Operation } from './operation.ts';
import { bodyBytes, bodyText, declaredContentType } from './protocol-edge.ts';
import type { TokenBuckets } from './rate-limit.ts';

/**
 * Routes `operation` at /ovo/<name>, its Faspay paths and `extraPaths`; returns the paths it routed. Calls
 * take a token from `rateLimit` (see rate-limit.ts): authenticated ones the merchant's, refused ones the client IP's.
 */
export function registerOperation(app: FastifyInstance, ctx: GatewayContext, operation: Operation, rateLimit: TokenBuckets,
  extraPaths: readonly string[] = []): string[] {
  const paths = operationPaths(operation, extraPaths);
  for (const url of paths) {
    app.post(url, (request, reply) => runOperation(ctx, operation, rateLimit, request, reply));
  }
  return paths;
}

/** Where `operation` is served, each path once: /ovo/<name> first, then its Faspay paths and `extraPaths`. */
export function operationPaths(operation: Operation, extraPaths: readonly string[] = []): string[] {
  return [...new Set([`/ovo/${operation.name}`, ...(operation.faspayPaths ?? []), ...extraPaths])];
}

/**
 * The pipeline every call goes through: format → parse → validate → merchant → IP → signature → rate limit
 * → handler. A call the rate limit refuses changes nothing.
 */
async function runOperation(ctx: GatewayContext, operation: Operation, rateLimit: TokenBuckets, request: FastifyRequest,
  reply: FastifyReply): Promise<void> {
  const spec = OPERATIONS[operation.name];
  const raw = bodyText(request);
  const rawBytes = bodyBytes(request);
  // The reply is in the format the body was read as; JSON until that is known.
  let format: WireFormat = 'json';
  // Replies repeat the request's identifying fields (phone_no, bill_no, …) whenever they could be read.
  let echo: Record<string, ReplyValue> = {};
  // Seconds to wait when the caller is over its limit; undefined until a token was taken for this call.
  let overLimitS: number | undefined;
  try {
    const detected = detectFormat(declaredContentType(request), raw);
    if (detected === null) throw new ProtocolError('30', 'the body is neither JSON nor XML');
    format = detected;
    const encoding = headerValue(request, 'content-encoding');
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      throw new ProtocolError('30', `Content-Encoding ${encoding.slice(0, 40)} is not supported: send the body uncompressed`);
    }
    const fields = parseBody(format, raw, { maxBytes: ctx.config.body_bytes_max, maxDepth: ctx.config.xml_depth_max });
    echo = echoFields(fields);
    const valid = validateRequest(operation.name, fields);
    echo = { ...echo, ...echoFields(valid as Record<string, unknown>) };
    const merchant = await findMerchantCached(ctx.database.db, valid.merchant_id);
    if (!merchant) throw new DomainError('merchant_unknown', `merchant_id ${valid.merchant_id} is not registered`);
    if (merchant.status !== 'active') throw new DomainError('merchant_suspended', 'merchant is suspended');
    if (!isIpAllowed(merchant, request.ip)) throw new DomainError('ip_not_allowed', `requests from ${request.ip} are not allowed for this merchant`);
    if (!signatureMatches(merchant, fields, valid as Record<string, unknown>, spec.signedField)) {
      throw new DomainError('signature_invalid', 'signature does not match');
    }
    if (merchant.hmacSecret) {
      const check = verifyHmacSignatureHeader(merchant.hmacSecret, headerValue(request, 'x-signature'), rawBytes, Math.floor(ctx.wallClock.now() / 1000));
      if (!check.ok) throw new DomainError('signature_invalid', HMAC_PROBLEM[check.reason]);
    }
    // Only a call proven to come from the merchant spends the merchant's tokens, so nobody who merely knows
    // a merchant_id can starve it; refused calls (above) spend their client IP's tokens instead.
    overLimitS = rateLimit.take(`merchant:${merchant.merchantId}`);
    if (overLimitS > 0) return sendRateLimited(reply, format, operation.name, echo, overLimitS);
    const fieldsOut = await operation.handle(ctx, { merchant, request: valid as never });
    return sendReply(reply, format, operation.name, { ...echo, ...fieldsOut });
  } catch (error) {
    if ((error instanceof ProtocolError || error instanceof DomainError) && overLimitS === undefined) {
      // Calls refused before the merchant was proven (unreadable, unknown merchant, bad signature, …) count
      // against the client's IP, so a flood of made-up merchant ids gets one bucket, not one each.
      overLimitS = rateLimit.take(`ip:${request.ip}`);
      if (overLimitS > 0) return sendRateLimited(reply, format, operation.name, echo, overLimitS);
    }
    if (error instanceof ProtocolError) return sendReply(reply, format, operation.name, { ...echo, ...failure(error.code, error.message) });
    if (error instanceof DomainError) {
      return sendReply(reply, format, operation.name, { ...echo, ...error.detail, ...failure(RESPONSE_CODE_OF[error.reason], error.message) });
    }
    request.log.error({ err: error, operation: operation.name }, 'operation failed');
    return sendReply(reply, format, operation.name, { ...echo, ...failure('96', RESPONSE_CODES['96'].desc) });
  }
}

/**
 * The merchant signs the field as it sent it (`6281…` or `+6281…` included), while validation normalises a
 * phone to `08…`; either spelling is accepted, both need the password. Both are always computed and compared,
 * so timing does not tell which one matched.
 */
function signatureMatches(merchant: { userId: string; password: string }, fields: Record<string, string>,
  valid: Record<string, unknown>, signedField: string): boolean {
  const given = valid.signature as string;
  const normalised = valid[signedField] as string;
  const asSent = (Object.hasOwn(fields, signedField) ? fields[signedField] ?? '' : '').trim();
  const matchesNormalised = signaturesEqual(requestSignature(merchant.userId, merchant.password, normalised), given);
  const matchesAsSent = signaturesEqual(requestSignature(merchant.userId, merchant.password, asSent), given);
  return matchesNormalised || matchesAsSent;
}

const HMAC_PROBLEM = {
  missing: 'X-Signature header is missing',
  malformed: 'X-Signature header is malformed',
  stale: 'X-Signature timestamp is outside the allowed clock skew',
  mismatch: 'X-Signature does not match the body',
} as const;

const ECHOED = ['merchant_id', 'phone_no', 'payment_channel', 'merchant', 'bill_no', 'trx_id'] as const;
/** An identifier longer than this, or with control characters, is not one: it is not repeated back. */
const ECHOED_CHARACTERS_MAX = 100;

function echoFields(fields: Record<string, unknown>): Record<string, ReplyValue> {
  const out: Record<string, ReplyValue> = {};
  for (const name of ECHOED) {
    const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (typeof value !== 'string') continue;
    const trimmed = value.trim();
    if (trimmed.length <= ECHOED_CHARACTERS_MAX && !/[\u0000-\u001f\u007f]/.test(trimmed)) out[name] = trimmed;
  }
  return out;
}

/** The code's standard description, with the specific reason after it (02 keeps the guide's exact wording). */
export function failure(code: ResponseCode, reason: string): Record<string, ReplyValue> {
  const desc = RESPONSE_CODES[code].desc;
  return { response_code: code, response_desc: reason === desc || code === '02' ? desc : `${desc}: ${reason}` };
}

/**
 * HTTP 429 with Retry-After. The protocol has no response code for "slow down", so the body says `96`
 * (System Malfunction — a failure worth retrying later, changing nothing) with the wait in response_desc.
 */
function sendRateLimited(reply: FastifyReply, format: WireFormat, op: OperationName, echo: Record<string, ReplyValue>,
  retryAfterS: number): FastifyReply {
  reply.header('retry-after', String(retryAfterS));
  return sendReply(reply, format, op, { ...echo, ...failure('96', `rate limit exceeded, retry after ${retryAfterS} s`) }, 429);
}

/**
 * Writes the reply with every field of the operation's reply, in the catalogue's order, '' where there is no
 * value: clients that map replies into typed objects fail on a missing field (PROTOCOL.md §3). The HTTP
 * status follows the response code (200 for all but 96).
 */
export function sendReply(reply: FastifyReply, format: WireFormat, op: OperationName, fields: Record<string, ReplyValue>,
  status?: number): FastifyReply {
  const spec = OPERATIONS[op];
  const code = (fields.response_code ?? '00') as ResponseCode;
  const all: Record<string, ReplyValue> = {
    response: spec.response, response_code: code, response_desc: RESPONSE_CODES[code]?.desc ?? '', ...fields,
  };
  const ordered: Record<string, ReplyValue> = {};
  for (const name of spec.reply) ordered[name] = all[name] ?? '';
  noteApiReply(reply, { operation: op, merchantId: fields.merchant_id, responseCode: code, format });
  return reply.status(status ?? RESPONSE_CODES[code]?.http ?? 500).type(contentTypeOf(format)).send(serialize(format, ordered));
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
