import type { GatewayConfig } from './config.ts';
import type { Clock, OffsetClock, Random } from './domain/ports.ts';
import type { GatewayMetrics } from './observability/metrics.ts';
import type { OutboxRow } from './delivery/dispatcher.ts';
import type { Database } from './store/database.ts';

/** What every service needs: the database, the settings, time, randomness, a way to hurry deliveries, metrics. */
export interface GatewayContext {
  database: Database;
  config: GatewayConfig;
  /** The gateway's time: what expires, locks and retries reads (in sandbox mode, `testClock`). */
  clock: Clock;
  /**
   * The time other parties' clocks show, never moved by the test clock: signature timestamps (a merchant
   * signs with its own clock) and rate limits (they meter real requests; advancing must not refill them).
   */
  wallClock: Clock;
  /** Sandbox mode only: the same clock as `clock`, with the offset /sandbox/clock moves (services/sandbox-clock.ts). */
  testClock?: OffsetClock;
  random: Random;
  /** Tells the delivery dispatcher that something was just written to the outbox. */
  wakeDeliveries(): void;
  /** The hot path's way to the dispatcher: rows queued leased to it are handed over after their commit (delivery/outbox.ts). */
  deliveries: {
    leaseUntil(now: number): number | undefined;
    handOver(rows: readonly OutboxRow[]): void;
  };
  /** This gateway's Prometheus series (observability/metrics.ts). */
  metrics: GatewayMetrics;
}
