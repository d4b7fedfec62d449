import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp } from './api/app.ts';
import { limitConnectionsPerIp } from './api/connection-limits.ts';
import { startMetricsListener, type MetricsListener } from './api/metrics.ts';
import type { Lifecycle } from './api/readiness.ts';
import { resolveConfig, type GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { DeliveryDispatcher, type DeliveryDispatcherOptions } from './delivery/dispatcher.ts';
import { outboxDepth } from './delivery/outbox.ts';
import { OffsetClock, systemClock, type Clock, type Random } from './domain/ports.ts';
import { systemRandom } from './domain/random.ts';
import type { Merchant } from './domain/merchant.ts';
import { GatewayMetrics } from './observability/metrics.ts';
import { provisionDemoMerchant } from './services/demo-merchant.ts';
import { sweepExpiredSessions } from './services/linking.ts';
import { expirePayments } from './services/payments.ts';
import { openDatabase, type Database } from './store/database.ts';
import { findMerchantCached } from './store/merchants.ts';
import { dialectOf, type Durability } from './store/dialect.ts';
import { migrateToLatest } from './store/migrate.ts';

export interface GatewayOptions {
  config?: Partial<GatewayConfig>;
  /** Use an already open database (tests); otherwise config.databaseUrl is opened and closed with the gateway. */
  database?: Database;
  clock?: Clock;
  random?: Random;
  logger?: FastifyServerOptions['logger'];
  delivery?: Partial<DeliveryDispatcherOptions>;
  /** How often abandoned sessions are expired. */
  sweepIntervalMs?: number;
  /** Skip binding a port (tests that use app.inject). */
  listen?: boolean;
  /** Routes added before the server listens (the benchmark's no-op route); production registers none. */
  extraRoutes?: (app: FastifyInstance) => void;
}

export interface Gateway {
  app: FastifyInstance;
  ctx: GatewayContext;
  dispatcher: DeliveryDispatcher;
  /** The address the server listens on (with the real port when 0 was asked). */
  url: string;
  /** Where GET /metrics is served when it has a listener of its own (config.metrics is a port). */
  metricsUrl?: string;
  /** Set when sandbox mode created the demo merchant on this start. */
  demoMerchant?: Merchant;
  /** Whether an acknowledged commit survives a power failure, as the database reports its settings. */
  durability: Durability;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  let config = resolveConfig(options.config ?? {});
  const database = options.database ?? openDatabase(config.databaseUrl);
  await migrateToLatest(database);

  let dispatcher: DeliveryDispatcher | undefined;
  const wallClock = options.clock ?? systemClock;
  // Only a sandbox gateway's time can be moved (/sandbox/clock); production reads the wall clock as it is.
  const testClock = config.sandbox ? new OffsetClock(wallClock) : undefined;
  const clock = testClock ?? wallClock;
  const ctx: GatewayContext = {
    database,
    config,
    clock,
    wallClock,
    testClock,
    random: options.random ?? systemRandom,
    wakeDeliveries: () => dispatcher?.wake(),
    deliveries: {
      leaseUntil: (now) => dispatcher?.leaseForHandOver(now),
      handOver: (rows) => dispatcher?.handOver(rows),
    },
    metrics: new GatewayMetrics({ clock, readOutbox: () => outboxDepth(database) }),
  };
  const lifecycle: Lifecycle = { shuttingDown: false };
  const app = buildApp(ctx, options.logger ?? false, lifecycle);
  options.extraRoutes?.(app);
  const durability = await dialectOf(database).durability(database.db);
  if (!durability.durable) {
    app.log.warn({ durability: durability.settings }, 'the database does not make commits durable: an acknowledged payment can be lost on a power failure');
  }
  // Behind a trusted proxy every connection comes from the proxy: a cap there would cap all customers together
  // (and turn one abusive client into an outage), so the per-client cap is the proxy's job.
  if (!config.trustProxy) limitConnectionsPerIp(app.server, config.connections_per_ip_max);
  let url = config.publicUrl;
  if (options.listen !== false) {
    url = await app.listen({ host: config.host, port: config.port });
    if (config.port === 0) {
      // Only now is the port known: links and icons must carry it.
      const port = new URL(url).port;
      const publicUrl = options.config?.publicUrl ?? url.replace(/:\d+$/, `:${port}`);
      config = { ...config, port: Number(port), publicUrl: publicUrl.replace(/\/+$/, '') };
      ctx.config = config;
    }
  } else {
    await app.ready();
  }
  // Its own port (OVO_METRICS=<port>) is for operators: it is bound on the same host, never the public URL.
  const metricsListener: MetricsListener | undefined = typeof config.metrics === 'number'
    ? await startMetricsListener(ctx.metrics, config.host, config.metrics)
    : undefined;
  const demoMerchant = config.sandbox ? await provisionDemoMerchant(ctx) : undefined;

  dispatcher = new DeliveryDispatcher({
    database,
    clock: ctx.clock,
    signingClock: ctx.wallClock,
    random: ctx.random,
    attemptTimeoutMs: config.delivery_attempt_timeout_ms,
    hmacSecretFor: async (merchantId) => (await findMerchantCached(database.db, merchantId))?.hmacSecret ?? null,
    logger: app.log,
    metrics: ctx.metrics,
    ...options.delivery,
  });
  dispatcher.start();

  // Abandoned activation sessions and unauthorised payments end on their own, with a notice to the merchant.
  const sweeper = setInterval(() => {
    sweepExpiredSessions(ctx).catch((error: unknown) => app.log.error({ err: error }, 'session sweep failed'));
    expirePayments(ctx).catch((error: unknown) => app.log.error({ err: error }, 'payment expiry failed'));
  }, options.sweepIntervalMs ?? 5_000);
  sweeper.unref();

  return {
    app, ctx, dispatcher, url, demoMerchant, durability, metricsUrl: metricsListener?.url,
    async close() {
      // /ready answers 503 from now on; the drain gives load balancers time to notice before requests stop.
      lifecycle.shuttingDown = true;
      if (config.shutdown_drain_ms > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdown_drain_ms));
      clearInterval(sweeper);
      await app.close();
      await metricsListener?.close();
      await dispatcher!.stop();
      if (!options.database) await database.close();
    },
  };
}
