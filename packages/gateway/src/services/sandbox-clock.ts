// The sandbox's test clock (README "Test clock"): moving the gateway's time forward, and everything that
// time ends happening at once, as if the gateway had waited.
import type { GatewayContext } from '../context.ts';
import type { OffsetClock } from '../domain/ports.ts';
import { sweepExpiredSessions } from './linking.ts';
import { expirePayments } from './payments.ts';

/** How far ahead of real time the test clock may run: far past every expiry, well inside a Date. */
export const CLOCK_AHEAD_MAX_S = 10 * 365 * 24 * 60 * 60;

const SWEEP_BATCH = 100;

export interface ClockReading {
  now: number;
  offsetMs: number;
}

export function readClock(clock: OffsetClock): ClockReading {
  return { now: clock.now(), offsetMs: clock.offsetMs };
}

/**
 * Moves the clock `seconds` forward, then expires what is now past its time — every unauthorised payment
 * (notifying its merchant, 7) and abandoned activation session, not one batch — and wakes the dispatcher so
 * that retries now due go out. Resolves once the expiries have committed. Codes, PIN locks, links and
 * wallet sessions need no sweep: they are checked against the clock when used.
 */
export async function advanceClock(ctx: GatewayContext, clock: OffsetClock, seconds: number): Promise<ClockReading> {
  clock.advance(seconds * 1000);
  while (await expirePayments(ctx, SWEEP_BATCH) === SWEEP_BATCH);
  while (await sweepExpiredSessions(ctx, SWEEP_BATCH) === SWEEP_BATCH);
  ctx.wakeDeliveries();
  return readClock(clock);
}

/**
 * Back to real time for what happens from now on. What was created while the clock ran ahead keeps its
 * times (a payment made an hour ahead expires an hour later in real time, a PIN locked then stays locked
 * that much longer), and what already expired stays expired.
 */
export function resetClock(ctx: GatewayContext, clock: OffsetClock): ClockReading {
  clock.reset();
  ctx.wakeDeliveries();
  return readClock(clock);
}
