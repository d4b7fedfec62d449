// Sends what the outbox holds (spec §5): claims due rows under a lease so that several gateway processes
// on one database never send the same row at once, makes one HTTP attempt per claimed row, and records the
// outcome. All state lives in the outbox table, so a restart loses nothing: a row whose sender died is
// picked up again once its lease runs out (at-least-once, hence the stable X-Notification-Id).
import { formatFromContentType, hmacSignatureHeader, parseBody, type WireFormat } from '@ovo-tokenize/protocol';
import type { Selectable, Updateable } from 'kysely';
import type { Clock, Random } from '../domain/ports.ts';
import { systemRandom } from '../domain/random.ts';
import type { Database } from '../store/database.ts';
import type { OutboxTable } from '../store/schema.ts';
import { inTransaction } from '../store/transaction.ts';

export const DELIVERY_USER_AGENT = 'ovo-tokenize-gateway';
export const DELIVERY_RESPONSE_BYTES_MAX = 64 * 1024;
const LAST_ERROR_CHARS_MAX = 200;

export interface DeliveryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DeliveryDispatcherOptions {
  database: Database;
  clock: Clock;
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
  /** Most rows claimed by one query. Default: `concurrency`. */
  batchSize?: number;
  /** Most attempts in flight at once in this process. Default 8. */
  concurrency?: number;
  fetch?: typeof fetch;
  logger?: DeliveryLogger;
}

type OutboxRow = Selectable<OutboxTable>;

type Outcome =
  | { ok: true; httpStatus: number }
  | { ok: false; httpStatus: number | null; error: string };

const silentLogger: DeliveryLogger = { info() {}, warn() {} };

export class DeliveryDispatcher {
  private readonly database: Database;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly hmacSecretFor: (merchantId: string) => Promise<string | null>;
  private readonly attemptTimeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly leaseMarginMs: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly fetch: typeof fetch;
  private readonly logger: DeliveryLogger;

  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private tickAgain = false;

  constructor(opts: DeliveryDispatcherOptions) {
    this.database = opts.database;
    this.clock = opts.clock;
    this.random = opts.random ?? systemRandom;
    this.hmacSecretFor = opts.hmacSecretFor;
    this.attemptTimeoutMs = positive('attemptTimeoutMs', opts.attemptTimeoutMs ?? 10_000);
    this.backoffBaseMs = positive('backoffBaseMs', opts.backoffBaseMs ?? 5_000);
    this.backoffMaxMs = positive('backoffMaxMs', opts.backoffMaxMs ?? 3_600_000);
    this.leaseMarginMs = positive('leaseMarginMs', opts.leaseMarginMs ?? 5_000);
    this.pollIntervalMs = positive('pollIntervalMs', opts.pollIntervalMs ?? 500);
    this.concurrency = positive('concurrency', opts.concurrency ?? 8);
    this.batchSize = positive('batchSize', opts.batchSize ?? this.concurrency);
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.logger = opts.logger ?? silentLogger;
  }

  /** Starts the background loop; a no-op when it already runs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  /** Ends the loop and waits for the attempts in flight to finish and be recorded. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Looks for due rows now instead of at the next poll, e.g. right after a commit that queued one. */
  wake(): void {
    if (!this.running) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), 0);
  }

  /**
   * One round without the loop: claims the due rows it has room for, attempts them and waits until every
   * outcome is recorded. Returns how many it attempted.
   */
  async runOnce(): Promise<number> {
    const rows = await this.claim(Math.min(this.batchSize, this.concurrency - this.inFlight.size));
    await Promise.allSettled(rows.map((row) => this.launch(row)));
    return rows.length;
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.running) return;
    if (this.ticking !== undefined) {
      this.tickAgain = true;
      return;
    }
    // `then` runs after this assignment even when fillSlots finishes synchronously.
    this.ticking = this.fillSlots().then((moreDue) => {
      this.ticking = undefined;
      if (!this.running) return;
      if (this.tickAgain || (moreDue && this.inFlight.size < this.concurrency)) {
        this.tickAgain = false;
        this.wake();
      } else if (this.timer === undefined) {
        this.timer = setTimeout(() => this.tick(), this.pollIntervalMs);
      }
    });
  }

  /** Claims what there is room for and launches it; true when a full batch suggests more are due. Never throws. */
  private async fillSlots(): Promise<boolean> {
    try {
      const room = Math.min(this.batchSize, this.concurrency - this.inFlight.size);
      if (room <= 0) return false;
      const rows = await this.claim(room);
      for (const row of rows) void this.launch(row);
      return rows.length === room;
    } catch (error) {
      this.logger.warn({ err: describeError(error) }, 'outbox: claiming due deliveries failed');
      return false;
    }
  }

  private launch(row: OutboxRow): Promise<void> {
    const attempt: Promise<void> = this.attempt(row)
      .catch((error) => {
        this.logger.warn({ notificationId: row.notification_id, err: describeError(error) }, 'outbox: attempt failed unexpectedly');
      })
      .finally(() => {
        this.inFlight.delete(attempt);
        // A slot is free: fill it without waiting for the next poll.
        if (this.running) this.wake();
      });
    this.inFlight.add(attempt);
    return attempt;
  }

  /** Leases up to `limit` due rows to this dispatcher; the lease is the fencing token for the outcome write. */
  private async claim(limit: number): Promise<OutboxRow[]> {
    if (limit <= 0) return [];
    const now = this.clock.now();
    const nowBig = BigInt(now);
    const lease = BigInt(now + this.attemptTimeoutMs + this.leaseMarginMs);
    if (this.database.kind === 'postgres') {
      // SKIP LOCKED: a concurrent claimer takes other rows instead of waiting for (and re-sending) these.
      return inTransaction(this.database, async (tx) => {
        const due = await tx
          .selectFrom('outbox')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', nowBig)
          .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', nowBig)]))
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute();
        if (due.length === 0) return [];
        return tx
          .updateTable('outbox')
          .set({ leased_until: lease })
          .where('id', 'in', due.map((r) => r.id))
          .returningAll()
          .execute();
      });
    }
    // SQLite: one UPDATE statement takes the write lock before it reads, so the choice and the lease are
    // atomic even across processes sharing the file.
    return this.database.db
      .updateTable('outbox')
      .set({ leased_until: lease })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', nowBig)
          .where((e) => e.or([e('leased_until', 'is', null), e('leased_until', '<', nowBig)]))
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(limit),
      )
      .returningAll()
      .execute();
  }

  private async attempt(row: OutboxRow): Promise<void> {
    const lease = row.leased_until;
    if (lease === null) throw new Error('outbox: attempt on a row that is not leased');
    const outcome = await this.send(row);
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
    const result = await this.database.db
      .updateTable('outbox')
      .set(update)
      .where('id', '=', row.id)
      // Only while the lease is still ours: if it ran out and another dispatcher took the row over, its
      // outcome wins.
      .where('leased_until', '=', lease)
      .executeTakeFirst();
    const log = {
      notificationId: row.notification_id,
      kind: row.kind,
      merchantId: row.merchant_id,
      attempts: Number(attempts),
      status: update.status,
      httpStatus: outcome.httpStatus,
      ...(outcome.ok ? {} : { error: update.last_error }),
    };
    if (result.numUpdatedRows === 0n) this.logger.warn(log, 'outbox: lease lost before the outcome was recorded');
    else if (outcome.ok) this.logger.info(log, 'outbox: delivered');
    else if (update.status === 'failed') this.logger.warn(log, 'outbox: delivery failed, giving up');
    else this.logger.info(log, 'outbox: attempt failed, will retry');
  }

  /** Full jitter between 50 % and 100 % of min(max, base × 2^(attempts−1)). */
  private backoffMs(attempts: number): number {
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(attempts - 1, 52));
    const half = Math.floor(ceiling / 2);
    return ceiling - half + this.random.int(0, half + 1);
  }

  private async send(row: OutboxRow): Promise<Outcome> {
    const headers: Record<string, string> = {
      'User-Agent': DELIVERY_USER_AGENT,
      'X-Notification-Id': row.notification_id,
    };
    const body = row.method === 'POST' ? (row.body ?? '') : undefined;
    if (body !== undefined) {
      headers['Content-Type'] = row.content_type ?? 'application/json; charset=utf-8';
      let secret: string | null;
      try {
        secret = await this.hmacSecretFor(row.merchant_id);
      } catch (error) {
        this.logger.warn({ merchantId: row.merchant_id, err: describeError(error) }, 'outbox: could not load the signing secret');
        return { ok: false, httpStatus: null, error: 'internal: signing secret unavailable' };
      }
      // Signed at send time, so each attempt carries a fresh timestamp within the receiver's tolerance.
      if (secret !== null) headers['X-Signature'] = hmacSignatureHeader(secret, body, Math.floor(this.clock.now() / 1000));
    }

    let response: Response;
    const signal = AbortSignal.timeout(this.attemptTimeoutMs);
    try {
      response = await this.fetch(row.url, { method: row.method, headers, body, redirect: 'manual', signal });
    } catch (error) {
      return { ok: false, httpStatus: null, error: this.transportError(error) };
    }

    const status = response.status;
    if (status < 200 || status > 299) {
      await discard(response);
      const error = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
      return { ok: false, httpStatus: status, error };
    }
    if (row.kind !== 'payment_notification') {
      await discard(response);
      return { ok: true, httpStatus: status };
    }

    // §4.5: only an acknowledgement with response_code 00 counts.
    let text: string;
    try {
      text = await readLimited(response, DELIVERY_RESPONSE_BYTES_MAX);
    } catch (error) {
      return { ok: false, httpStatus: status, error: this.transportError(error) };
    }
    const format: WireFormat =
      formatFromContentType(response.headers.get('content-type') ?? undefined) ??
      formatFromContentType(row.content_type ?? undefined) ??
      'json';
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

  private transportError(error: unknown): string {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return `timeout after ${this.attemptTimeoutMs} ms`;
    }
    if (error instanceof ResponseTooLarge) return error.message;
    // undici reports "fetch failed" with the socket error as the cause; its code is what helps.
    const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') return `connection failed: ${code}`;
    if (cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')) {
      return `timeout after ${this.attemptTimeoutMs} ms`;
    }
    const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
    // URLs are cut out: a malformed one could carry credentials, and last_error is shown to operators.
    return `request failed: ${message.replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>')}`;
  }
}

class ResponseTooLarge extends Error {
  constructor(limit: number) {
    super(`response body larger than ${limit} bytes`);
    this.name = 'ResponseTooLarge';
  }
}

/** The response body as UTF-8, refusing (not truncating) one longer than `limit` bytes. */
async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await discard(response);
    throw new ResponseTooLarge(limit);
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new ResponseTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Frees the connection without reading a body nobody needs. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
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
