// The domain's only ways to learn the time and to draw randomness, so tests can move the clock and
// replay outcomes.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface Random {
  /** Cryptographically strong random bytes. */
  bytes(length: number): Buffer;
  /** A cryptographically strong integer in [min, max). */
  int(min: number, max: number): number;
}

export const systemClock: Clock = { now: () => Date.now() };
