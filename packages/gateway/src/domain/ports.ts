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

/**
 * Another clock plus an offset: the sandbox's test clock (README "Test clock"). `advance` moves it forward for
 * everything that reads it; `reset` returns it to the clock beneath. Tests move one the same way.
 */
export class OffsetClock implements Clock {
  offsetMs = 0;

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
