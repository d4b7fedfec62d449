// The gateway's Prometheus metrics (served by api/metrics.ts; the names are listed in the README). Each
// gateway has its own registry, so several gateways in one process (the tests) never share a series; the
// process metrics (CPU, memory, event-loop lag, GC) describe the one process and are registered once.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DELIVERY_KINDS, UNDELIVERED_STATUSES, type OutboxDepth } from '../delivery/outbox.ts';
import type { Clock } from '../domain/ports.ts';
import type { Payment } from '../domain/payment.ts';

/** How an attempt to deliver a callback or notification ended (see delivery/dispatcher.ts). */
export type DeliveryAttemptOutcome = 'delivered' | 'retry' | 'failed';

export interface GatewayMetricsOptions {
  clock: Clock;
  /** The outbox by kind and status, read at every scrape. */
  readOutbox: () => Promise<OutboxDepth[]>;
}

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly pinFailures = this.counter('ovo_pin_failures_total', 'Wrong PINs entered (linking, payment page, wallet app).');
  readonly pinLockouts = this.counter('ovo_pin_lockouts_total', 'Wallets whose PIN was locked after too many wrong PINs.');
  readonly otpFailures = this.counter('ovo_otp_failures_total', 'Wrong one-time codes entered.');
  readonly otpLockouts = this.counter('ovo_otp_lockouts_total', 'Flows ended because every one-time code attempt was used up.');
  private readonly apiCalls = new Histogram({
    name: 'ovo_api_request_duration_seconds',
    help: 'Merchant API calls by operation and response code, and how long they took (_count: calls).',
    labelNames: ['operation', 'response_code'] as const,
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'ovo_rate_limited_total', help: 'Requests refused with 429: limit "api" (merchant calls) or "page" (form posts).',
    labelNames: ['limit'] as const, registers: [this.registry],
  });
  private readonly paymentsCreated = new Counter({
    name: 'ovo_payments_created_total', help: 'Payments created, by the status they were created in and pay_type.',
    labelNames: ['status', 'pay_type'] as const, registers: [this.registry],
  });
  private readonly paymentsSettled = new Counter({
    name: 'ovo_payments_settled_total', help: 'Payments that reached a final status, by status and pay_type.',
    labelNames: ['status', 'pay_type'] as const, registers: [this.registry],
  });
  private readonly settledCash = this.counter('ovo_settled_cash_rupiah_total', 'Cash paid to merchants by successful payments, in rupiah.');
  private readonly settledPoints = this.counter('ovo_settled_points_total', 'OVO points paid to merchants by successful payments.');
  private readonly deliveryAttempts = new Counter({
    name: 'ovo_delivery_attempts_total', help: 'HTTP attempts to deliver callbacks and notifications, by kind and result (ok, error).',
    labelNames: ['kind', 'result'] as const, registers: [this.registry],
  });
  private readonly deliveriesFailed = new Counter({
    name: 'ovo_deliveries_failed_total', help: 'Deliveries given up after their retry horizon (status failed), by kind.',
    labelNames: ['kind'] as const, registers: [this.registry],
  });
  private readonly outboxMessages: Gauge<'kind' | 'status'>;
  private readonly outboxOldestAge: Gauge<'kind'>;
  private readonly options: GatewayMetricsOptions;
  private outboxScrape: Promise<void> | undefined;

  constructor(options: GatewayMetricsOptions) {
    this.options = options;
    const scrape = () => this.scrapeOutbox();
    this.outboxMessages = new Gauge({
      name: 'ovo_outbox_messages', help: 'Undelivered rows in the outbox (pending, failed) by kind and status, read at scrape time.',
      labelNames: ['kind', 'status'] as const, registers: [this.registry], collect: scrape,
    });
    this.outboxOldestAge = new Gauge({
      name: 'ovo_outbox_oldest_pending_age_seconds', help: 'Age of the oldest undelivered (pending) row, by kind; 0 when none waits.',
      labelNames: ['kind'] as const, registers: [this.registry], collect: scrape,
    });
  }

  /** The text format Prometheus scrapes: this gateway's series, then the process's. */
  async text(): Promise<string> {
    return (await this.registry.metrics()) + (await processMetrics().metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  apiCall(operation: string, responseCode: string, durationS: number): void {
    this.apiCalls.observe({ operation, response_code: responseCode }, durationS);
  }

  refusedByRateLimit(limit: 'api' | 'page'): void {
    this.rateLimited.inc({ limit });
  }

  /** A new payment; a pinless one is created paid, and so is settled at once too. */
  paymentCreated(payment: Payment): void {
    this.paymentsCreated.inc({ status: payment.status, pay_type: payment.payType });
    if (payment.status !== 'PENDING') this.paymentSettled(payment);
  }

  /** A payment that has just moved to its final status (count it once, after the commit). */
  paymentSettled(payment: Payment): void {
    this.paymentsSettled.inc({ status: payment.status, pay_type: payment.payType });
    if (payment.status !== 'SUCCESS') return;
    this.settledCash.inc(Number(payment.cashAmount));
    this.settledPoints.inc(Number(payment.pointsAmount));
  }

  deliveryAttempted(kind: string, outcome: DeliveryAttemptOutcome): void {
    this.deliveryAttempts.inc({ kind, result: outcome === 'delivered' ? 'ok' : 'error' });
    if (outcome === 'failed') this.deliveriesFailed.inc({ kind });
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }

  /**
   * Fills both outbox gauges from one query per scrape (their collect functions start in the same tick and
   * share it). Every kind and status is reported, 0 included, so series do not come and go; when the database
   * cannot answer, the series are left out (and /ready says why).
   */
  private scrapeOutbox(): Promise<void> {
    this.outboxScrape ??= this.options.readOutbox().then((rows) => {
      const now = this.options.clock.now();
      for (const kind of DELIVERY_KINDS) {
        for (const status of UNDELIVERED_STATUSES) this.outboxMessages.set({ kind, status }, 0);
        this.outboxOldestAge.set({ kind }, 0);
      }
      for (const row of rows) {
        this.outboxMessages.set({ kind: row.kind, status: row.status }, row.count);
        if (row.status === 'pending') this.outboxOldestAge.set({ kind: row.kind }, Math.max(0, now - row.oldestCreatedAt) / 1000);
      }
    }, () => {
      this.outboxMessages.reset();
      this.outboxOldestAge.reset();
    }).finally(() => {
      this.outboxScrape = undefined;
    });
    return this.outboxScrape;
  }
}
