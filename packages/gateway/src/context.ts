import type { GatewayConfig } from './config.ts';
import type { Clock, Random } from './domain/ports.ts';
import type { Database } from './store/database.ts';

/** What every service needs: the database, the settings, time, randomness, and a way to hurry deliveries. */
export interface GatewayContext {
  database: Database;
  config: GatewayConfig;
  clock: Clock;
  random: Random;
  /** Tells the delivery dispatcher that something was just written to the outbox. */
  wakeDeliveries(): void;
}
