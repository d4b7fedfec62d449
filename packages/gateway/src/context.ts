import type { GatewayConfig } from './config.ts';
import type { Clock, Random } from './domain/ports.ts';
import type { GatewayMetrics } from './observability/metrics.ts';
import type { Database } from './store/database.ts';

/** What every service needs: the database, the settings, time, randomness, a way to hurry deliveries, metrics. */
export interface GatewayContext {
  database: Database;
  config: GatewayConfig;
  clock: Clock;
  random: Random;
  /** Tells the delivery dispatcher that something was just written to the outbox. */
  wakeDeliveries(): void;
  /** This gateway's Prometheus series (observability/metrics.ts). */
  metrics: GatewayMetrics;
}
