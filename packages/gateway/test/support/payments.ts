// Shared by the payment tests: a merchant's notification receiver that acknowledges like a real merchant
// (and can be taken down and brought back on the same port), funded wallets and links made through the
// store, payment authorisation through the hosted page, and ledger snapshots to check the money against.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import {
  PAYMENT_NOTIFICATION, contentTypeOf, formatJakartaDateTime, serialize, type WireFormat,
} from '@ovo-tokenize/protocol';
import type { GatewayConfig } from '../../src/config.ts';
import type { GatewayContext } from '../../src/context.ts';
import type { DeliveryDispatcherOptions } from '../../src/delivery/dispatcher.ts';
import type { Clock } from '../../src/domain/ports.ts';
import type { Merchant } from '../../src/domain/merchant.ts';
import type { Payment } from '../../src/domain/payment.ts';
import { hashPin } from '../../src/domain/pin.ts';
import type { Wallet } from '../../src/domain/wallet.ts';
import { startGateway, type Gateway } from '../../src/server.ts';
import { settlePayment } from '../../src/services/payments.ts';
import type { Database } from '../../src/store/database.ts';
import { getBalances } from '../../src/store/ledger.ts';
import { createLink } from '../../src/store/links.ts';
import { findChallenge } from '../../src/store/challenges.ts';
import { findPayment } from '../../src/store/payments.ts';
import { settlementBalances, settlementShardsOf } from '../../src/store/settlement-shards.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import { insertWallet } from '../../src/store/wallets.ts';
import type { DatabaseKind } from '../../src/store/database.ts';
import type { MerchantInput } from '../../src/store/merchants.ts';
import { openTestDatabase, type TestDatabase } from './databases.ts';
import { FormClient, csrfTokenOf, parseReply, provisionMerchant, readOtp, type PageResponse } from './gateway.ts';

export const TEST_PIN = '123456';
/** The development pepper the gateway uses unless configured otherwise. */
const PEPPER = 'ovo-tokenize-development-pepper';

// ---------------------------------------------------------------------------------------------------------
// A gateway whose clock the test moves or stops.

/** Real time plus an offset; `freeze` stops it at an exact instant (e.g. one millisecond before midnight). */
export class ControlClock implements Clock {
  offsetMs = 0;
  private frozenAt: number | null = null;
  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }
  freeze(at: number): void {
    this.frozenAt = at;
  }
  /** Runs on from where real time plus the offset is (not from the frozen instant). */
  thaw(): void {
    this.frozenAt = null;
  }
}

/** Fast retries for tests: a refused or unacknowledged notification is tried again within ~200 ms. */
export const FAST_DELIVERY: Partial<DeliveryDispatcherOptions> = { backoffBaseMs: 50, backoffMaxMs: 200, pollIntervalMs: 20 };

export interface PaymentsGateway {
  readonly kind: DatabaseKind;
  readonly url: string;
  readonly gateway: Gateway;
  readonly ctx: GatewayContext;
  readonly database: TestDatabase;
  readonly clock: ControlClock;
  readonly merchants: Merchant[];
  close(): Promise<void>;
}

/** A gateway on 127.0.0.1:<free port> over a fresh database with these merchants; closed after the test file. */
export async function startPaymentsGateway(kind: DatabaseKind, options: {
  merchants?: MerchantInput[]; config?: Partial<GatewayConfig>; delivery?: Partial<DeliveryDispatcherOptions>; sweepIntervalMs?: number;
} = {}): Promise<PaymentsGateway> {
  const database = await openTestDatabase(kind);
  const merchants: Merchant[] = [];
  for (const merchant of options.merchants ?? []) merchants.push(await provisionMerchant(database, merchant));
  const clock = new ControlClock();
  const gateway = await startGateway({
    database, clock, sweepIntervalMs: options.sweepIntervalMs,
    config: { port: 0, host: '127.0.0.1', sandbox: true, ...options.config },
    delivery: { ...FAST_DELIVERY, ...options.delivery },
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await gateway.close();
    await database.close();
  };
  after(close);
  return { kind, url: gateway.url, gateway, ctx: gateway.ctx, database, clock, merchants, close };
}

// ---------------------------------------------------------------------------------------------------------
// The merchant's notification receiver.

export interface Notification {
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly contentType: string;
  /** The exact bytes received (what X-Signature covers). */
  readonly raw: string;
  /** Parsed with a parser of the test's own (not the gateway's codec): every value a string. */
  readonly fields: Record<string, string>;
  readonly notificationId: string;
  /** Field names in the order they arrived. */
  readonly order: string[];
}

/** What the receiver answers: an acknowledgement with this response_code, an HTTP status (body "no" unless given), or any body. */
export type ReceiverAnswer = { responseCode: string } | { httpStatus: number; body?: string } | { body: string; contentType: string };

export interface NotificationReceiver {
  readonly url: string;
  readonly port: number;
  /** Every notification that reached the receiver while it was up, in arrival order (including ones answered with a failure). */
  readonly received: Notification[];
  /** How to answer the next notification; default an acknowledgement with 00. */
  answer: (n: Notification) => ReceiverAnswer;
  /** Notifications that were answered with 00. */
  acknowledged(): Notification[];
  /** Notifications (any answer) for this trx_id, optionally with this payment_status_code. */
  forTrx(trxId: string, code?: string): Notification[];
  /** Resolves once `predicate` holds over `received`; rejects after `timeoutMs`. */
  waitUntil(predicate: (received: Notification[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Waits for the first notification about `trxId` with `code`. */
  waitFor(trxId: string, code: string, timeoutMs?: number): Promise<Notification>;
  /** Stops listening (connections refused from now on); the port stays reserved for `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  readonly isUp: boolean;
  close(): Promise<void>;
}

/**
 * A merchant's notification endpoint on 127.0.0.1. It acknowledges in the notification's own format, as
 * spec §4.5 asks of a merchant. `startDown` reserves a port without listening: the gateway's first attempts
 * are refused until `up()`.
 */
export async function startNotificationReceiver(options: { path?: string; startDown?: boolean } = {}): Promise<NotificationReceiver> {
  const path = options.path ?? '/notify';
  const received: Notification[] = [];
  const acked = new Set<Notification>();
  const waiters = new Set<() => void>();
  let server: Server | undefined;

  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const contentType = String(req.headers['content-type'] ?? '');
      let fields: Record<string, string> = {};
      let order: string[] = [];
      let format: WireFormat = contentType.startsWith('application/xml') ? 'xml' : 'json';
      try {
        const parsed = parseReply(contentType, raw) as Record<string, unknown>;
        order = Object.keys(parsed);
        fields = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
      } catch {
        format = 'json';
      }
      const notification: Notification = {
        at: Date.now(), headers: req.headers, contentType, raw, fields, order,
        notificationId: String(req.headers['x-notification-id'] ?? ''),
      };
      if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== path) {
        res.writeHead(404).end();
        return;
      }
      received.push(notification);
      const answer = receiver.answer(notification);
      if ('httpStatus' in answer) {
        res.writeHead(answer.httpStatus, { 'content-type': 'text/plain' }).end(answer.body ?? 'no');
      } else if ('body' in answer) {
        res.writeHead(200, { 'content-type': answer.contentType }).end(answer.body);
      } else {
        if (answer.responseCode === '00') acked.add(notification);
        res.writeHead(200, { 'content-type': contentTypeOf(format) }).end(serialize(format, {
          response: PAYMENT_NOTIFICATION.request,
          trx_id: fields.trx_id ?? '',
          merchant_id: fields.merchant_id ?? '',
          bill_no: fields.bill_no ?? '',
          response_code: answer.responseCode,
          response_desc: answer.responseCode === '00' ? 'Success' : 'Failed',
          response_date: formatJakartaDateTime(new Date()),
        }));
      }
      for (const wake of waiters) wake();
    });
  };

  const listen = async (port: number): Promise<number> => {
    const s = createServer(handler);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
    return (s.address() as AddressInfo).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  const port = await listen(0);
  if (options.startDown) await stop();

  const receiver: NotificationReceiver = {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    received,
    answer: () => ({ responseCode: '00' }),
    acknowledged: () => received.filter((n) => acked.has(n)),
    forTrx: (trxId, code) => received.filter((n) => n.fields.trx_id === trxId && (code === undefined || n.fields.payment_status_code === code)),
    waitUntil(predicate, what, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(received)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: ${what} did not happen within ${timeoutMs} ms (received ${received.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async waitFor(trxId, code, timeoutMs = 10_000) {
      await receiver.waitUntil(() => receiver.forTrx(trxId, code).length > 0, `notification ${code} for ${trxId}`, timeoutMs);
      return receiver.forTrx(trxId, code)[0]!;
    },
    down: stop,
    async up() {
      if (!server) await listen(port);
    },
    get isUp() {
      return server !== undefined;
    },
    close: stop,
  };
  after(() => receiver.close());
  return receiver;
}

// ---------------------------------------------------------------------------------------------------------
// Wallets, links and the ledger.

let pinHashCache: Promise<string> | undefined;

/** A wallet with exactly this much cash and points, its PIN TEST_PIN. */
export async function fundedWallet(database: Database, input: { phone: string; name?: string; cash: bigint; points: bigint }, now = Date.now()): Promise<Wallet> {
  pinHashCache ??= hashPin(TEST_PIN, PEPPER);
  const pinHash = await pinHashCache;
  return inTransaction(database, (tx) => insertWallet(tx, {
    phone: input.phone, name: input.name ?? 'Test Customer', pinHash, cash: input.cash, points: input.points, sandbox: true,
  }, now));
}

/** Links the wallet to the merchant through the store (the activation flow is tested elsewhere). */
export async function linkThroughStore(ctx: GatewayContext, merchantId: string, wallet: Wallet): Promise<void> {
  await inTransaction(ctx.database, (tx) => createLink(tx, {
    merchantId, walletId: wallet.id, phoneVersion: wallet.phoneVersion, now: ctx.clock.now(), ttlS: ctx.config.link_ttl_s,
  }));
}

export interface WalletMoney {
  cashAvailable: bigint;
  cashHeld: bigint;
  /** credits_posted − debits_posted: available + held. */
  cashPosted: bigint;
  pointsAvailable: bigint;
  pointsHeld: bigint;
  pointsPosted: bigint;
}

export async function walletMoney(database: Database, wallet: Pick<Wallet, 'cashAccountId' | 'pointsAccountId'>): Promise<WalletMoney> {
  const balances = await getBalances(database.db, [wallet.cashAccountId, wallet.pointsAccountId]);
  const cash = balances.get(wallet.cashAccountId)!;
  const points = balances.get(wallet.pointsAccountId)!;
  return {
    cashAvailable: cash.available, cashHeld: cash.held, cashPosted: cash.posted,
    pointsAvailable: points.available, pointsHeld: points.held, pointsPosted: points.posted,
  };
}

export interface MerchantMoney {
  /** Posted to the cash settlement account. */
  cashSettled: bigint;
  pointsSettled: bigint;
  /** Incoming holds not yet posted. */
  cashIncoming: bigint;
  pointsIncoming: bigint;
}

/** Summed over the merchant's settlement shards. */
export async function merchantMoney(database: Database, merchant: Pick<Merchant, 'merchantId' | 'settlementAccountId' | 'pointsSettlementAccountId'>): Promise<MerchantMoney> {
  const { cash, points } = await settlementBalances(database.db, merchant);
  return { cashSettled: cash.posted, pointsSettled: points.posted, cashIncoming: cash.incomingHeld, pointsIncoming: points.incomingHeld };
}

/**
 * Every settlement shard account of these merchants, named `<merchant_id> cash` or `<merchant_id> points`: a
 * payment's credit is compared by name, since which shard its batch credited is the batch's affair.
 */
export async function settlementOwners(database: Database, merchants: ReadonlyArray<Pick<Merchant, 'merchantId' | 'settlementAccountId' | 'pointsSettlementAccountId'>>): Promise<Map<bigint, string>> {
  const owners = new Map<bigint, string>();
  for (const m of merchants) {
    for (const shard of await settlementShardsOf(database.db, m)) {
      owners.set(shard.cashAccountId, `${m.merchantId} cash`);
      owners.set(shard.pointsAccountId, `${m.merchantId} points`);
    }
  }
  return owners;
}

/** The ledger rows a payment wrote: its holds and how each was resolved. */
export async function paymentTransfers(database: Database, trxId: string): Promise<Array<{ id: bigint; kind: string; amount: bigint; pendingId: bigint | null; debit: bigint; credit: bigint }>> {
  const rows = await database.db.selectFrom('transfers').selectAll().where('reference', '=', `payment:${trxId}`).orderBy('id').execute();
  return rows.map((r) => ({
    id: BigInt(r.id), kind: r.kind, amount: BigInt(r.amount), pendingId: r.pending_id === null ? null : BigInt(r.pending_id),
    debit: BigInt(r.debit_account_id), credit: BigInt(r.credit_account_id),
  }));
}

export async function countPayments(database: Database): Promise<number> {
  const row = await database.db.selectFrom('payments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countTransfers(database: Database): Promise<number> {
  const row = await database.db.selectFrom('transfers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---------------------------------------------------------------------------------------------------------
// Authorising on the hosted page.

function pageToken(redirectURL: string): string {
  const match = /\/pay\/([^/?#]+)$/.exec(redirectURL);
  if (!match) throw new Error(`not a payment page URL: ${redirectURL}`);
  return decodeURIComponent(match[1]!);
}

/** Whether the gateway serves the hosted payment page (written alongside these tests). Asks the router: any request to the page would bind it. */
export function paymentPageServed(gateway: Gateway): boolean {
  return gateway.app.hasRoute({ method: 'GET', url: '/pay/:token' }) && gateway.app.hasRoute({ method: 'POST', url: '/pay/:token/pin' });
}

export interface Authorisation {
  /** 'page' when the hosted page did it, 'direct' when the page is not served yet and settlePayment did. */
  via: 'page' | 'direct';
  payment: Payment;
}

/**
 * Authorises a pending payment as its customer would: opens `redirectURL` (binding the cookie), enters the
 * SMS code when asked, then the PIN. Falls back to settlePayment only when the gateway has no payment page.
 */
export async function authorisePayment(gw: { ctx: GatewayContext; gateway: Gateway }, redirectURL: string,
  options: { pin?: string; phone?: string; /** Accept a payment that ended meanwhile (e.g. the merchant cancelled it) instead of failing. */ mayHaveEnded?: boolean } = {}): Promise<Authorisation> {
  const { ctx } = gw;
  const token = pageToken(redirectURL);
  if (!paymentPageServed(gw.gateway)) {
    return { via: 'direct', payment: await settlePayment(ctx, await mustFind(ctx, token), 'SUCCESS') };
  }
  const client = new FormClient();
  let page: PageResponse = await client.get(redirectURL);
  if (page.status !== 200) throw new Error(`payment page answered ${page.status}:\n${page.html.slice(0, 400)}`);
  if (options.mayHaveEnded && !page.html.includes('name="pin"') && !page.html.includes('name="otp"')) {
    const ended = await mustFind(ctx, token);
    if (ended.status !== 'PENDING') return { via: 'page', payment: ended };
  }
  if (page.html.includes('name="otp"')) {
    const otp = await readOtp(new URL(redirectURL).origin, options.phone ?? (await mustFind(ctx, token)).phone);
    page = await client.submit(`${redirectURL}/otp`, { csrf_token: csrfTokenOf(page.html), otp });
  }
  if (!page.html.includes('name="pin"')) throw new Error(`no PIN step on the payment page:\n${page.html.slice(0, 600)}`);
  const answered = await client.post(`${redirectURL}/pin`, { csrf_token: csrfTokenOf(page.html), pin: options.pin ?? TEST_PIN });
  if (answered.status !== 303) throw new Error(`PIN answered ${answered.status}:\n${answered.html.slice(0, 600)}`);
  const payment = await mustFind(ctx, token);
  return { via: 'page', payment };
}

async function mustFind(ctx: GatewayContext, token: string): Promise<Payment> {
  const page = await findChallenge(ctx.database.db, token);
  const payment = page && await findPayment(ctx.database.db, page.subject);
  if (!payment) throw new Error(`no payment with page token ${token}`);
  return payment;
}

export async function reloadPayment(database: Database, trxId: string): Promise<Payment> {
  const payment = await findPayment(database.db, trxId);
  if (!payment) throw new Error(`payment ${trxId} is gone`);
  return payment;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
