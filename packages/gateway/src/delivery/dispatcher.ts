// Sends what the outbox holds (spec §5): claims due rows under a lease so that several gateway processes
// on one database never send the same row at once, makes one HTTP attempt per claimed row, and records the
// outcome. All state lives in the outbox table, so a restart loses nothing: a row whose sender died is
// picked up again once its lease runs out (at-least-once, hence the stable X-Notification-Id).
//
// Throughput after a burst: a claim takes a batch of rows (several per slot), slots are refilled from it the
// moment one frees, the next claim starts while half a batch is still queued, and the outcomes of attempts
// that end in one turn of the event loop, or while a write is under way, are written together in one
// transaction with their attempts (the delivery inspector's record). Requests go through a keep-alive agent
// per merchant origin (merchant-http.ts).
import { performance } from 'node:perf_hooks';
import { detectFormat, hmacSignatureHeader, parseBody } from '@ovo-tokenize/protocol';
import type { Selectable, Updateable } from 'kysely';
import type { Clock, Random } from '../domain/ports.ts';
import { systemRandom } from '../domain/random.ts';
import type { Database } from '../store/database.ts';
import { dialectOf } from '../store/dialect.ts';
import type { OutboxTable } from '../store/schema.ts';
import { inTransaction, type Tx } from '../store/transaction.ts';
import { MerchantHttp, type MerchantExchange, type TransportFailure } from './merchant-http.ts';
import { DELIVERY_ATTEMPT_BODY_BYTES, recordDeliveryAttempts, type NewDeliveryAttempt } from './outbox.ts';

export const DELIVERY_USER_AGENT = 'ovo-tokenize-gateway';
export const DELIVERY_RESPONSE_BYTES_MAX = 64 * 1024;
const LAST_ERROR_CHARS_MAX = 200;

export interface DeliveryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Told how each recorded attempt ended (observability/metrics.ts). */
export interface DeliveryMetrics {
  deliveryAttempted(kind: string, outcome: 'delivered' | 'retry' | 'failed'): void;
}

export interface DeliveryDispatcherOptions {
  database: Database;
  clock: Clock;
  /** The time X-Signature carries, as the receiver's clock reads it (default `clock`; the sandbox test clock is not). */
  signingClock?: Clock;
  random?: Random;
  /** The merchant's HMAC secret, or null when it has none; a POST body is then signed with X-Signature. */
  hmacSecretFor: (merchantId: string) => Promise<string | null>;
  /** Per attempt, covering connect, response and body. Default 10 s (spec §5). */
  attemptTimeoutMs?: number;
  /** First retry delay; doubles per failed attempt. Default 5 s. */
  backoffBaseMs?: number;
  /** Longest retry delay. Default 1 hour. */
  backoffMaxMs?: number;
  /** Extra lease time beyond attemptTimeoutMs, for the secret lookup and the write of the outcome. Default 5 s. */
  leaseMarginMs?: number;
  /** How often the loop looks for due rows when nothing wakes it. Default 500 ms. */
  pollIntervalMs?: number;
  /**
   * Most rows claimed by one query. Default: 4 × `concurrency`. The loop keeps up to this many claimed rows
   * waiting for a slot (renewing a row's lease before its attempt if the wait ate into it); runOnce claims
   * no more than there are free slots.
   */
  batchSize?: number;
  /** Most attempts in flight at once in this process. Default 8. */
  concurrency?: number;
  logger?: DeliveryLogger;
  metrics?: DeliveryMetrics;
}

type OutboxRow = Selectable<OutboxTable>;

/** A leased row, with the merchant-secret look-up shared by the rows of its claim. */
interface Claimed {
  row: OutboxRow;
  secretFor: (merchantId: string) => Promise<string | null>;
}

interface PendingRecord {
  id: bigint;
  lease: bigint;
  update: Updateable<OutboxTable>;
  attempt: NewDeliveryAttempt;
  resolve(recorded: boolean): void;
  reject(error: unknown): void;
}

const DEFAULT_CONCURRENCY = 8;
/** The loop claims up to this many rows per slot at once (see pump). */
const BATCH_PER_SLOT = 4;

type Outcome =
  | { ok: true; httpStatus: number }
  | { ok: false; httpStatus: number | null; error: string };

/** An attempt's outcome and what the inspector keeps of its exchange. */
interface Sent {
  outcome: Outcome;
  sentHeaders: Record<string, string> | null;
  responseBody: string | null;
  latencyMs: number;
}

const silentLogger: DeliveryLogger = { info() {}, warn() {} };

export type { OutboxRow };

export class DeliveryDispatcher {
  private readonly database: Database;
  private readonly clock: Clock;
  private readonly signingClock: Clock;
  private readonly random: Random;
  private readonly hmacSecretFor: (merchantId: string) => Promise<string | null>;
  private readonly attemptTimeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly leaseMarginMs: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly http: MerchantHttp;
  private readonly logger: DeliveryLogger;
  private readonly metrics: DeliveryMetrics | undefined;

  private readonly inFlight = new Set<Promise<void>>();
  /** Rows leased to this dispatcher by a claim, waiting for a free slot; released again by stop(). */
  private readonly queue: Claimed[] = [];
  private running = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private claiming: Promise<void> | undefined;
  /** Rows may be due: a wake, a poll, or a claim that came back full. Cleared by a claim that found fewer. */
  private lookAgain = false;
  private readonly records: PendingRecord[] = [];
  private recording: Promise<void> | undefined;

  constructor(opts: DeliveryDispatcherOptions) {
    this.database = opts.database;
    this.clock = opts.clock;
    this.signingClock = opts.signingClock ?? opts.clock;
    this.random = opts.random ?? systemRandom;
    this.hmacSecretFor = opts.hmacSecretFor;
    this.attemptTimeoutMs = positive('attemptTimeoutMs', opts.attemptTimeoutMs ?? 10_000);
    this.backoffBaseMs = positive('backoffBaseMs', opts.backoffBaseMs ?? 5_000);
    this.backoffMaxMs = positive('backoffMaxMs', opts.backoffMaxMs ?? 3_600_000);
    this.leaseMarginMs = positive('leaseMarginMs', opts.leaseMarginMs ?? 5_000);
    this.pollIntervalMs = positive('pollIntervalMs', opts.pollIntervalMs ?? 500);
    this.concurrency = positive('concurrency', opts.concurrency ?? DEFAULT_CONCURRENCY);
    this.batchSize = positive('batchSize', opts.batchSize ?? BATCH_PER_SLOT * this.concurrency);
    this.http = new MerchantHttp(this.concurrency);
    this.logger = opts.logger ?? silentLogger;
    this.metrics = opts.metrics;
  }

  /** Starts the background loop; a no-op when it already runs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  /**
   * Ends the loop, waits for the attempts in flight to finish and be recorded, and gives the rows claimed
   * but not yet attempted back (their lease cleared), so another dispatcher can take them at once.
   */
  async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    await this.claiming;
    const unsent = this.queue.splice(0);
    await Promise.allSettled([...this.inFlight]);
    await this.release(unsent).catch((error: unknown) => {
      this.logger.warn({ err: describeError(error) }, 'outbox: releasing unattempted rows failed (their lease will run out)');
    });
    await this.flushed();
    this.http.close();
  }

  /**
   * The lease for a row queued to be handed over (enqueueDelivery's `leaseUntil`): as long as a claim's.
   * Undefined when the loop does not run: the row is then left for a claim.
   */
  leaseForHandOver(now: number): number | undefined {
    return this.running ? now + this.attemptTimeoutMs + this.leaseMarginMs : undefined;
  }

  /**
   * Rows just committed leased to this dispatcher: sent without a claim. Rows handed over after stop()
   * wait for their lease to run out and are claimed then.
   */
  handOver(rows: readonly OutboxRow[]): void {
    if (!this.running || rows.length === 0) return;
    const secretFor = this.secretLookup();
    this.queue.push(...rows.map((row) => ({ row, secretFor })));
    this.schedulePump();
  }

  /** Looks for due rows now instead of at the next poll, e.g. right after a commit that queued one. */
  wake(): void {
    if (!this.running) return;
    this.lookAgain = true;
    this.schedulePump();
  }

  /**
   * One round without the loop: claims the due rows it has room for, attempts them and waits until every
   * outcome is recorded. Returns how many it attempted.
   */
  async runOnce(): Promise<number> {
    const rows = await this.claim(Math.min(this.batchSize, this.concurrency - this.inFlight.size));
    await Promise.allSettled(rows.map((row) => this.launch(row)));
    await this.flushed();
    return rows.length;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * The loop's one step: fills free slots from the claimed rows, and claims more once a good part of a batch
   * has room (so a stream of completions costs one claim per half batch, not one per row) or when every
   * slot could take a row that nothing holds. Never more than one claim at a time.
   */
  private pump(): void {
    if (!this.running) return;
    this.startQueued();
    if (this.claiming !== undefined) return;
    const room = this.concurrency + this.batchSize - this.inFlight.size - this.queue.length;
    const worthIt = room >= Math.ceil(this.batchSize / 2) || (this.queue.length === 0 && this.inFlight.size < this.concurrency);
    if (!this.lookAgain || !worthIt) {
      if (!this.lookAgain) this.armPoll();
      return;
    }
    const limit = Math.min(this.batchSize, room);
    this.lookAgain = false; // a wake during the claim sets it again
    this.claiming = this.claim(limit).then(
      (rows) => {
        if (rows.length === limit) this.lookAgain = true;
        this.queue.push(...rows);
      },
      (error: unknown) => {
        this.logger.warn({ err: describeError(error) }, 'outbox: claiming due deliveries failed');
      },
    ).finally(() => {
      this.claiming = undefined;
      if (this.running) this.pump();
    });
  }

  private armPoll(): void {
    if (this.pollTimer !== undefined) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.wake();
    }, this.pollIntervalMs);
  }

  private startQueued(): void {
    while (this.inFlight.size < this.concurrency && this.queue.length > 0) void this.launch(this.queue.shift()!);
  }

  private launch(claimed: Claimed): Promise<void> {
    const attempt: Promise<void> = this.attempt(claimed)
      .catch((error) => {
        this.logger.warn({ notificationId: claimed.row.notification_id, err: describeError(error) }, 'outbox: attempt failed unexpectedly');
      })
      .finally(() => {
        this.inFlight.delete(attempt);
        // A slot is free: fill it without waiting for the next poll.
        if (this.running) this.schedulePump();
      });
    this.inFlight.add(attempt);
    return attempt;
  }

  /** Leases up to `limit` due rows to this dispatcher; the lease is the fencing token for the outcome write. */
  private async claim(limit: number): Promise<Claimed[]> {
    if (limit <= 0) return [];
    const now = this.clock.now();
    const nowBig = BigInt(now);
    const lease = BigInt(now + this.attemptTimeoutMs + this.leaseMarginMs);
    // Two dispatchers never claim the same row: how the database guarantees it is the dialect's business.
    const rows: OutboxRow[] = await dialectOf(this.database).claimOutbox(this.database.db, { now: nowBig, leaseUntil: lease, limit });
    const secretFor = this.secretLookup();
    return rows
      .sort((a, b) => (a.next_attempt_at < b.next_attempt_at ? -1 : a.next_attempt_at > b.next_attempt_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((row) => ({ row, secretFor }));
  }

  /** One look-up of a merchant's signing secret per claim (or hand-over), shared by that merchant's rows in it. */
  private secretLookup(): (merchantId: string) => Promise<string | null> {
    const secrets = new Map<string, Promise<string | null>>();
    return (merchantId) => {
      let secret = secrets.get(merchantId);
      if (secret === undefined) {
        secret = this.hmacSecretFor(merchantId);
        secret.catch(() => {}); // reported by each row that needs it
        secrets.set(merchantId, secret);
      }
      return secret;
    };
  }

  /** Clears the lease of claimed rows that were never attempted (only while it is still theirs). */
  private async release(claimed: Claimed[]): Promise<void> {
    const byLease = new Map<bigint, bigint[]>();
    for (const { row } of claimed) byLease.set(row.leased_until!, [...(byLease.get(row.leased_until!) ?? []), row.id]);
    for (const [lease, ids] of byLease) {
      await this.database.db.updateTable('outbox').set({ leased_until: null })
        .where('id', 'in', ids).where('leased_until', '=', lease).execute();
    }
  }

  private async attempt({ row, secretFor }: Claimed): Promise<void> {
    let lease = row.leased_until;
    if (lease === null) throw new Error('outbox: attempt on a row that is not leased');
    // A row that waited for a slot must still have a whole attempt's time on its lease (as a row attempted
    // at once after its claim has), or another dispatcher could take it over mid-attempt: renew it first.
    const startedAt = this.clock.now();
    if (Number(lease) - startedAt < this.attemptTimeoutMs + this.leaseMarginMs / 2) {
      const renewed = BigInt(startedAt + this.attemptTimeoutMs + this.leaseMarginMs);
      const result = await this.database.db.updateTable('outbox').set({ leased_until: renewed })
        .where('id', '=', row.id).where('status', '=', 'pending').where('leased_until', '=', lease).executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        this.logger.warn({ notificationId: row.notification_id, kind: row.kind, merchantId: row.merchant_id },
          'outbox: lease lost while waiting for a slot; not sent');
        return;
      }
      lease = renewed;
    }
    const sent = await this.send(row, secretFor);
    const { outcome } = sent;
    const now = this.clock.now();
    const attempts = row.attempts + 1n;
    let update: Updateable<OutboxTable>;
    if (outcome.ok) {
      update = {
        status: 'delivered',
        attempts,
        delivered_at: BigInt(now),
        leased_until: null,
        last_error: null,
        last_http_status: BigInt(outcome.httpStatus),
      };
    } else {
      const next = BigInt(now + this.backoffMs(Number(attempts)));
      const givingUp = next > row.give_up_at;
      update = {
        status: givingUp ? 'failed' : 'pending',
        attempts,
        next_attempt_at: next,
        leased_until: null,
        last_error: outcome.error.slice(0, LAST_ERROR_CHARS_MAX),
        last_http_status: outcome.httpStatus === null ? null : BigInt(outcome.httpStatus),
      };
    }
    const attempt: NewDeliveryAttempt = {
      outboxId: row.id,
      startedAt,
      requestHeaders: sent.sentHeaders,
      httpStatus: outcome.httpStatus,
      responseBody: sent.responseBody,
      latencyMs: sent.latencyMs,
      error: outcome.ok ? null : update.last_error as string,
    };
    // The slot is free once the exchange is over: the next attempt need not wait for this commit (the row
    // stays leased to us until it is written).
    void this.record({ id: row.id, lease, update, attempt }).then(
      (recorded) => this.report(row, outcome, update, recorded),
      (error: unknown) => {
        this.logger.warn({ notificationId: row.notification_id, err: describeError(error) },
          'outbox: recording an outcome failed (the row is sent again once its lease runs out)');
      },
    );
  }

  private report(row: OutboxRow, outcome: Outcome, update: Updateable<OutboxTable>, recorded: boolean): void {
    if (recorded) this.metrics?.deliveryAttempted(row.kind, outcome.ok ? 'delivered' : update.status === 'failed' ? 'failed' : 'retry');
    const log = {
      notificationId: row.notification_id,
      // Named as on the request's own lines (api/request-id.ts), so one search finds the call and its delivery.
      request_id: row.request_id,
      kind: row.kind,
      merchantId: row.merchant_id,
      attempts: Number(update.attempts),
      status: update.status,
      httpStatus: outcome.httpStatus,
      ...(outcome.ok ? {} : { error: update.last_error }),
    };
    if (!recorded) this.logger.warn(log, 'outbox: lease lost before the outcome was recorded');
    else if (outcome.ok) this.logger.info(log, 'outbox: delivered');
    else if (update.status === 'failed') this.logger.warn(log, 'outbox: delivery failed, giving up');
    else this.logger.info(log, 'outbox: attempt failed, will retry');
  }

  /**
   * Writes an attempt and its outcome; the outcome only while the lease is still ours: if it ran out and
   * another dispatcher took the row over, its outcome wins (the attempt is kept either way: it was made).
   * Outcomes are gathered for the rest of this turn of the event loop, and those arriving while a write is
   * under way wait for the next: one commit for many attempts. Resolves once this one is committed. An
   * outcome lost to a crash before its commit only means the row is sent again (at-least-once).
   */
  private record(pending: Omit<PendingRecord, 'resolve' | 'reject'>): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.records.push({ ...pending, resolve, reject });
      this.scheduleWrite();
    });
  }

  private scheduleWrite(): void {
    if (this.recording !== undefined) return;
    this.recording = new Promise((gathered) => setImmediate(gathered)).then(() => this.writeRecords()).finally(() => {
      this.recording = undefined;
      // Records pushed after the last batch was taken but before this ran.
      if (this.records.length > 0) this.scheduleWrite();
    });
  }

  /** Resolves once every outcome recorded so far is written (or has failed to be). */
  private async flushed(): Promise<void> {
    while (this.recording !== undefined) await this.recording;
  }

  private async writeRecords(): Promise<void> {
    while (this.records.length > 0) {
      // One order for the row locks of concurrent writers (PostgreSQL).
      const batch = this.records.splice(0).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const write = (tx: Tx, r: PendingRecord) =>
        tx.updateTable('outbox').set(r.update).where('id', '=', r.id).where('leased_until', '=', r.lease).executeTakeFirst();
      try {
        const results = await inTransaction(this.database, async (tx) => {
          const out = [];
          for (const r of batch) out.push(await write(tx, r));
          await recordDeliveryAttempts(tx, batch.map((r) => r.attempt));
          return out;
        });
        batch.forEach((r, i) => r.resolve(results[i]!.numUpdatedRows > 0n));
      } catch (error) {
        for (const r of batch) r.reject(error);
      }
    }
  }

  /** Full jitter between 50 % and 100 % of min(max, base × 2^(attempts−1)). */
  private backoffMs(attempts: number): number {
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(attempts - 1, 52));
    const half = Math.floor(ceiling / 2);
    return ceiling - half + this.random.int(0, half + 1);
  }

  private async send(row: OutboxRow, secretFor: (merchantId: string) => Promise<string | null>): Promise<Sent> {
    const headers: Record<string, string> = {
      'User-Agent': DELIVERY_USER_AGENT,
      'X-Notification-Id': row.notification_id,
    };
    // The request that caused this delivery, so the merchant (and our logs) can tie the two together.
    if (row.request_id !== null) headers['X-Request-Id'] = row.request_id;
    const body = row.method === 'POST' ? (row.body ?? '') : undefined;
    if (body !== undefined) {
      headers['Content-Type'] = row.content_type ?? 'application/json; charset=utf-8';
      let secret: string | null;
      try {
        secret = await secretFor(row.merchant_id);
      } catch (error) {
        this.logger.warn({ merchantId: row.merchant_id, err: describeError(error) }, 'outbox: could not load the signing secret');
        const outcome: Outcome = { ok: false, httpStatus: null, error: 'internal: signing secret unavailable' };
        return { outcome, sentHeaders: null, responseBody: null, latencyMs: 0 };
      }
      // Signed at send time, so each attempt carries a fresh timestamp within the receiver's tolerance.
      if (secret !== null) headers['X-Signature'] = hmacSignatureHeader(secret, body, Math.floor(this.signingClock.now() / 1000));
    }

    // A duration, so measured on the monotonic clock (the injected one may be moved by a test or the sandbox).
    const started = performance.now();
    const exchange = await this.http.request({
      method: row.method as 'GET' | 'POST',
      url: row.url,
      headers,
      body,
      timeoutMs: this.attemptTimeoutMs,
      bodyLimit: DELIVERY_RESPONSE_BYTES_MAX,
    });
    return {
      outcome: this.judge(row, exchange),
      sentHeaders: exchange.sentHeaders,
      responseBody: exchange.status === null ? null : exchange.body.subarray(0, DELIVERY_ATTEMPT_BODY_BYTES).toString('utf8'),
      latencyMs: Math.round(performance.now() - started),
    };
  }

  /** Whether the merchant took the delivery: a 2xx, and for a notification an acknowledgement with code 00. */
  private judge(row: OutboxRow, exchange: MerchantExchange): Outcome {
    const { status, failure } = exchange;
    if (status === null) return { ok: false, httpStatus: null, error: this.transportError(failure) };
    if (status < 200 || status > 299) {
      const error = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
      return { ok: false, httpStatus: status, error };
    }
    // A callback is acknowledged by its status alone; its body is only kept for the inspector.
    if (row.kind !== 'payment_notification') return { ok: true, httpStatus: status };
    // §4.5: only an acknowledgement with response_code 00 counts.
    if (failure !== null) return { ok: false, httpStatus: status, error: this.transportError(failure) };
    const text = exchange.body.toString('utf8');
    // Read by the lenient rule (PROTOCOL.md §1.1): PHP receivers answer XML labelled text/html, others send no label.
    const contentType = exchange.responseHeaders?.['content-type'];
    const format = detectFormat(contentType, text);
    if (format === null) return { ok: false, httpStatus: status, error: 'acknowledgement is neither JSON nor XML' };
    let responseCode: string | undefined;
    try {
      responseCode = parseBody(format, text, { maxBytes: DELIVERY_RESPONSE_BYTES_MAX })['response_code'];
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unreadable';
      return { ok: false, httpStatus: status, error: `acknowledgement is not ${format}: ${reason}` };
    }
    if (responseCode === '00') return { ok: true, httpStatus: status };
    return {
      ok: false,
      httpStatus: status,
      error: responseCode === undefined
        ? 'acknowledgement has no response_code'
        : `acknowledgement response_code ${JSON.stringify(responseCode.slice(0, 8))}`,
    };
  }

  private transportError(failure: TransportFailure | null): string {
    switch (failure?.kind) {
      case 'timeout': return `timeout after ${this.attemptTimeoutMs} ms`;
      case 'too_large': return `response body larger than ${DELIVERY_RESPONSE_BYTES_MAX} bytes`;
      case 'connection': return `connection failed: ${failure.code}`;
      // URLs are cut out: a malformed one could carry credentials, and last_error is shown to operators.
      case 'other': return `request failed: ${failure.message.replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>')}`;
      default: return 'request failed';
    }
  }
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/** For logs: the kind and message of an error, never request data. */
function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, LAST_ERROR_CHARS_MAX);
  return String(error).slice(0, LAST_ERROR_CHARS_MAX);
}
