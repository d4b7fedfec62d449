import type { OperationName } from '@ovo-tokenize/protocol';

/**
 * Whether sending an operation twice does no more than sending it once, so a call whose reply was lost
 * can be repeated. A Record over every operation: a new operation does not compile until it is decided.
 */
export const RETRY_SAFE: Readonly<Record<OperationName, boolean>> = Object.freeze({
  // Each activation opens a new linking session with its own redirectURL; a repeat would leave the
  // customer's browser on one session and the merchant holding another. The caller decides.
  activation: false,
  // The gateway treats the same bill_no with the same content as the same order (spec §4.3).
  payment: true,
  'topup-instruction': true,
  balance: true,
  history: true,
  // Unlinking what is not linked answers 00 (spec §4.9): the end state is the same however often it runs.
  unlink: true,
  'payment-status': true,
  // Cancelling a cancelled transaction answers 00 with the first cancellation's data; a paid one answers 81
  // every time. Either way a repeat changes nothing.
  cancel: true,
});

export interface BackoffOptions {
  /** First retry delay before jitter. */
  readonly baseDelayMs: number;
  /** Longest retry delay. */
  readonly maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 250, maxDelayMs: 4_000 };

/**
 * Delay before retry number `retry` (1-based): min(max, base × 2^(retry−1)), then a random point in its
 * upper half, so clients that failed together do not come back together.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(retry - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
