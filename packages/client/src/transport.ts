// One HTTP exchange per attempt, retried where the caller allows it. Knows nothing of operations: it posts
// bytes and returns the status, content type and text of the reply, or throws a transport error.
import { REPLY_MAX_BYTES, contentTypeOf, hmacSignatureHeader, type WireFormat } from '@ovo-tokenize/protocol';
import { OvoConnectionError, OvoFormatError, OvoTimeoutError, OvoTokenizeError } from './errors.ts';
import { backoffDelayMs, sleep, type BackoffOptions } from './retry.ts';

export interface TransportConfig {
  readonly fetch: typeof fetch;
  readonly userAgent: string;
  readonly backoff: BackoffOptions;
  readonly hmacSecret?: string;
}

export interface Post {
  readonly url: string;
  readonly body: string;
  readonly format: WireFormat;
  readonly requestId: string;
  readonly timeoutMs: number;
  /** 0 for operations that must not be repeated. */
  readonly maxRetries: number;
  readonly signal?: AbortSignal;
}

export interface Exchange {
  readonly httpStatus: number;
  readonly contentType: string | undefined;
  readonly text: string;
  readonly requestId: string;
  readonly attempts: number;
  /** A 429's Retry-After in seconds, when it gave one as a number. */
  readonly retryAfterS?: number;
}

const ACCEPT: Readonly<Record<WireFormat, string>> = { json: 'application/json', xml: 'application/xml' };

/**
 * Posts `body`; repeats it after a network error, a timeout or a 5xx reply while retries remain, with
 * capped exponential backoff and jitter. A 429 (rate limited) is repeated too, no sooner than its
 * Retry-After says; one asking for a longer wait than `backoff.maxDelayMs` is returned at once instead. Every attempt carries the same X-Request-Id (one call, one id
 * in the gateway's logs) and, with an HMAC secret, a freshly timestamped X-Signature.
 */
export async function post(config: TransportConfig, request: Post): Promise<Exchange> {
  for (let attempt = 1; ; attempt += 1) {
    let outcome: Exchange | OvoTokenizeError;
    try {
      outcome = await attemptOnce(config, request, attempt);
    } catch (error) {
      if (!(error instanceof OvoConnectionError || error instanceof OvoTimeoutError)) throw error;
      outcome = error;
    }
    const waitMs = outcome instanceof OvoTokenizeError ? 0 : (outcome.retryAfterS ?? 0) * 1000;
    const retryable = outcome instanceof OvoTokenizeError ? outcome.code !== 'aborted'
      : outcome.httpStatus >= 500 || (outcome.httpStatus === 429 && waitMs <= config.backoff.maxDelayMs);
    if (!retryable || attempt > request.maxRetries) {
      if (outcome instanceof OvoTokenizeError) throw outcome;
      return outcome;
    }
    try {
      await sleep(Math.max(waitMs, backoffDelayMs(attempt, config.backoff)), request.signal);
    } catch (reason) {
      throw aborted(request.requestId, reason);
    }
  }
}

async function attemptOnce(config: TransportConfig, request: Post, attempt: number): Promise<Exchange> {
  const headers: Record<string, string> = {
    'Content-Type': contentTypeOf(request.format),
    Accept: ACCEPT[request.format],
    'User-Agent': config.userAgent,
    'X-Request-Id': request.requestId,
  };
  if (config.hmacSecret) {
    headers['X-Signature'] = hmacSignatureHeader(config.hmacSecret, request.body, Math.floor(Date.now() / 1000));
  }
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const fail = (error: unknown): OvoTokenizeError => {
    if (error instanceof OvoTokenizeError) return error;
    if (request.signal?.aborted) return aborted(request.requestId, error);
    if (timeout.aborted) {
      return new OvoTimeoutError(`no complete reply from ${request.url} within ${request.timeoutMs} ms`, {
        code: 'timeout', requestId: request.requestId, cause: error,
      });
    }
    return new OvoConnectionError(`could not reach ${request.url}: ${describe(error)}`, {
      code: 'connection_failed', requestId: request.requestId, cause: error,
    });
  };

  let response: Response;
  try {
    // Redirects are not followed: a POST carrying a signature goes where it was configured to go, or fails.
    response = await config.fetch(request.url, { method: 'POST', headers, body: request.body, signal, redirect: 'manual' });
  } catch (error) {
    throw fail(error);
  }
  try {
    const text = await readLimited(response, REPLY_MAX_BYTES, request.requestId);
    return {
      httpStatus: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      text,
      requestId: request.requestId,
      attempts: attempt,
      ...(response.status === 429 ? { retryAfterS: retryAfterSeconds(response.headers.get('retry-after')) } : {}),
    };
  } catch (error) {
    throw fail(error);
  }
}

/** Retry-After as delay-seconds (the gateway's form); an HTTP date or nonsense counts as no hint (0). */
function retryAfterSeconds(value: string | null): number {
  const n = value === null || !/^\s*\d+\s*$/.test(value) ? 0 : Number(value);
  return Number.isSafeInteger(n) ? n : 0;
}

function aborted(requestId: string, reason: unknown): OvoConnectionError {
  return new OvoConnectionError('the call was aborted by its signal', { code: 'aborted', requestId, cause: reason });
}

/** undici reports "fetch failed" with the socket error as the cause; its code is what helps. */
function describe(error: unknown): string {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The body as UTF-8, refusing (not truncating) one longer than `limit` bytes. */
async function readLimited(response: Response, limit: number, requestId: string): Promise<string> {
  const tooLarge = () => new OvoFormatError(`reply larger than ${limit} bytes`, {
    code: 'reply_too_large', httpStatus: response.status, requestId,
  });
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(concat(chunks, size));
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
