// Token buckets keyed by a string (a merchant id, a client IP), in memory, per gateway process. Each key
// holds up to `burst` tokens and regains `ratePerS` tokens a second; a request takes one or is refused
// with the seconds until one is back. The map is bounded: past `keysMax` keys the least recently used are
// evicted first — an idle key's bucket has refilled anyway, so forgetting it changes nothing.
import type { Clock } from '../domain/ports.ts';

export interface TokenBucketOptions {
  /** Tokens regained per second; 0 (or a burst of 0) disables the limit. */
  readonly ratePerS: number;
  /** Most tokens a key can hold: how many requests may arrive at once after a quiet spell. */
  readonly burst: number;
  /** Most keys remembered at once. */
  readonly keysMax: number;
  readonly clock: Clock;
}

interface Bucket {
  tokens: number;
  /** Clock time (ms) `tokens` was last brought up to date. */
  at: number;
}

export const RATE_LIMIT_KEYS_MAX = 10_000;

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #options: TokenBucketOptions;

  constructor(options: TokenBucketOptions) {
    this.#options = options;
  }

  get enabled(): boolean {
    return this.#options.ratePerS > 0 && this.#options.burst > 0;
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes a token for `key`: 0 when the request may go ahead, else the whole seconds until it may (≥ 1). */
  take(key: string): number {
    if (!this.enabled) return 0;
    const { ratePerS, burst, clock } = this.#options;
    const now = clock.now();
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * ratePerS);
    bucket.at = now;
    // Re-inserting keeps the map in least-recently-used order, oldest first.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    this.#evict();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerS));
  }

  #evict(): void {
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#options.keysMax) return;
      this.#buckets.delete(key);
    }
  }
}
