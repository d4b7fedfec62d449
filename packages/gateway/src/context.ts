import type { GatewayConfig } from './config.ts';
import type { Clock, Random } from './domain/ports.ts';
import type { GatewayMetrics } from './observability/metrics.ts';
import type { OutboxRow } from './delivery/dispatcher.ts';
import type { Database } from './store/database.ts';

/** What every service needs: the database, the settings, time, randomness, a way to hurry deliveries, metrics. */
export interface GatewayContext {
  database: Database;
  config: GatewayConfig;
  clock: Clock;
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
